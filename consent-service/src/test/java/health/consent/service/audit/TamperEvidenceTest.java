package health.consent.service.audit;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.audit.Checkpoint;
import health.consent.model.audit.Merkle;
import health.consent.model.audit.ReferenceMerkle;
import health.consent.sdk.verifier.AuditVerifier;
import health.consent.sdk.verifier.AuditVerifierCli;
import health.consent.service.support.Api.Res;
import health.consent.service.support.AuditKeys;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The audit log is tamper-evident: checked with the SDK's offline verifier, and the service's
 * roots and proofs checked against the independent reference implementation of RFC 9162.
 */
class TamperEvidenceTest extends OnBothDatabases {

    private static final AuditVerifier VERIFIER = new AuditVerifier(AuditKeys.publicKey());

    private static AuditClient audit() {
        return new AuditClient(api);
    }

    private static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(Merkle::hex).toList();
    }

    @Test
    void checkpoints_are_signed_by_the_published_key() {
        audit().activity(2);
        Checkpoint c = audit().checkpoint();
        assertThat(VERIFIER.verifyCheckpoint(c)).isTrue();
        Res key = api.get("/api/v1/audit/public-key", null);
        assertThat(AuditVerifier.withPublicKey(key.str("publicKey")).verifyCheckpoint(c)).isTrue();
        assertThat(key.str("keyId")).isEqualTo(c.keyId());
        Checkpoint forged = new Checkpoint(c.treeSize() + 1, c.rootHash(), c.signature(), c.keyId(), c.at());
        assertThat(VERIFIER.verifyCheckpoint(forged)).isFalse();
        assertThat(api.get("/api/v1/audit/checkpoints/latest", Tokens.regulator()).num("treeSize")).isEqualTo(c.treeSize());
    }

    @Test
    void every_record_is_proven_in_the_log_and_matches_the_reference_implementation() {
        audit().activity(5);
        Checkpoint c = audit().checkpoint();
        List<Map<String, Object>> leaves = audit().exportedLeaves(c.treeSize());
        List<byte[]> hashes = leaves.stream().map(AuditVerifier::leafHash).toList();
        assertThat(c.rootHash()).isEqualTo(Merkle.hex(ReferenceMerkle.root(hashes)));
        for (int i = 0; i < leaves.size(); i++) {
            List<String> proof = audit().inclusion(i, c.treeSize());
            assertThat(proof).isEqualTo(hex(ReferenceMerkle.inclusion(i, hashes)));
            assertThat(VERIFIER.verifyRecord(c, leaves.get(i), i, proof)).as("leaf %d", i).isTrue();
        }
    }

    @Test
    void the_log_only_grows_and_consistency_proofs_match_the_reference() {
        audit().activity(3);
        Checkpoint older = audit().checkpoint();
        audit().activity(4);
        Checkpoint newer = audit().checkpoint();
        assertThat(newer.treeSize()).isGreaterThan(older.treeSize());
        List<String> proof = audit().consistency(older.treeSize(), newer.treeSize());
        List<byte[]> hashes = audit().exportedLeaves(newer.treeSize()).stream().map(AuditVerifier::leafHash).toList();
        assertThat(proof).isEqualTo(hex(ReferenceMerkle.consistency((int) older.treeSize(), hashes)));
        assertThat(VERIFIER.verifyConsistency(older, newer, proof)).isTrue();
    }

    @Test
    void the_command_line_verifier_says_ok_or_failed() throws Exception {
        audit().activity(2);
        Checkpoint c = audit().checkpoint();
        Path dir = Files.createTempDirectory("audit-cli");
        Files.writeString(dir.resolve("checkpoint.json"), api.get("/api/v1/audit/checkpoints/latest", Tokens.regulator()).body());
        Res proof = api.get("/api/v1/audit/proofs/inclusion?leaf=0&treeSize=" + c.treeSize(), Tokens.regulator());
        Files.writeString(dir.resolve("proof.json"), proof.body());
        String key = Base64.getEncoder().encodeToString(AuditKeys.publicKey().getEncoded());

        assertThat(cli("checkpoint", "--key", key, "--checkpoint", dir.resolve("checkpoint.json").toString()))
                .startsWith("0 OK");
        assertThat(cli("inclusion", "--key", key, "--checkpoint", dir.resolve("checkpoint.json").toString(),
                "--proof", dir.resolve("proof.json").toString())).startsWith("0 OK");
        Files.writeString(dir.resolve("bad.json"), proof.body().replace(proof.str("leafHash"), "00".repeat(32)));
        assertThat(cli("inclusion", "--key", key, "--checkpoint", dir.resolve("checkpoint.json").toString(),
                "--proof", dir.resolve("bad.json").toString())).startsWith("1 FAILED");
        assertThat(cli("inclusion", "--key", key)).startsWith("2 usage");
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = AuditVerifierCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
        return code + " " + out.toString(StandardCharsets.UTF_8);
    }
}
