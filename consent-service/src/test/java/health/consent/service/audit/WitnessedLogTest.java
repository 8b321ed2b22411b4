package health.consent.service.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.model.audit.Cosignature;
import health.consent.model.audit.SignedNote;
import health.consent.service.support.AuditKeys;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two witnesses, each a process of the verifier's witness mode, cosign the log's checkpoints as
 * it grows, and refuse a history an insider rewrote in the database.
 */
class WitnessedLogTest {

    private static final String ORIGIN = "consent.example/audit/v2";

    /** A witness process, and the verifier key and port it printed. */
    private record WitnessProcess(Process process, String key, int port) {
    }

    private static WitnessProcess startWitness(String name, Path dir) throws Exception {
        String logKey = SignedNote.verifierKey(ORIGIN, SignedNote.ED25519, AuditKeys.publicKey());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "health.consent.sdk.verifier.AuditVerifierCli", "witness",
                "--name", name, "--log-key", logKey, "--state", dir.resolve(name.replace('/', '_') + ".state").toString(),
                "--key-file", dir.resolve(name.replace('/', '_') + ".key").toString(), "--port", "0")
                .redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).as("the witness starts").startsWith("witness ");
        String[] parts = line.split(" ");
        return new WitnessProcess(p, parts[1], Integer.parseInt(parts[3]));
    }

    private static SignedNote.Note checkpoint(TestService service) {
        return SignedNote.parse(service.api().get("/log/checkpoint", null).body());
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void two_witnesses_cosign_consistent_growth_and_refuse_a_rewritten_history(String db) throws Exception {
        Path dir = Files.createTempDirectory("witnesses");
        List<WitnessProcess> witnesses = new ArrayList<>();
        try {
            witnesses.add(startWitness("witness.example/w1", dir));
            witnesses.add(startWitness("association.example/w2", dir));
            String configured = witnesses.stream().map(w -> "http://127.0.0.1:" + w.port() + " " + w.key())
                    .reduce((a, b) -> a + "," + b).orElseThrow();
            try (TestService service = TestService.start("H2".equals(db) ? Databases.h2() : Databases.postgres(),
                    Map.of("consent.audit.witnesses", configured, "consent.audit.witness-quorum", 2))) {
                AuditClient audit = new AuditClient(service.api());
                List<SignedNote.VerifierKey> keys = witnesses.stream().map(w -> SignedNote.VerifierKey.parse(w.key()))
                        .toList();
                for (int round = 0; round < 2; round++) {
                    audit.activity(3);
                    long size = audit.checkpoint().treeSize();
                    await().atMost(Duration.ofSeconds(15)).until(() -> {
                        SignedNote.Note note = checkpoint(service);
                        return note.text().contains("\n" + size + "\n")
                                && keys.stream().allMatch(k -> Cosignature.verify(note, k).isPresent());
                    });
                }
                SignedNote.Note cosigned = checkpoint(service);
                assertThat(SignedNote.verify(cosigned, SignedNote.VerifierKey.parse(
                        service.api().get("/log/key", null).body().trim()))).isTrue();

                // An insider rewrites a leaf of the stored tree, then the log grows and signs again.
                byte[] tile = service.bytes("SELECT hashes FROM merkle_tile WHERE lvl = 0 AND idx = 0");
                java.util.Arrays.fill(tile, 0, 32, (byte) 0xab);
                service.sql("UPDATE merkle_tile SET hashes = ? WHERE lvl = 0 AND idx = 0", (Object) tile);
                audit.activity(2);
                long rewritten = audit.checkpoint().treeSize();
                await().atMost(Duration.ofSeconds(15)).until(() -> service.api().get("/prometheus", Tokens.METRICS)
                        .body().lines().anyMatch(l -> l.startsWith("consent_audit_witness_failures_total")
                                && !l.endsWith(" 0.0")));
                SignedNote.Note refused = checkpoint(service);
                assertThat(refused.text()).contains("\n" + rewritten + "\n");
                assertThat(keys).allSatisfy(k -> assertThat(Cosignature.verify(refused, k)).as("no witness cosigns a "
                        + "rewritten history").isEmpty());
            }
        } finally {
            witnesses.forEach(w -> w.process().destroy());
        }
    }
}
