package health.consent.service.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import health.consent.model.audit.Cosignature;
import health.consent.model.audit.SignedNote;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A witness that answers nonsense, too much, or a cosignature that does not verify: nothing of it is kept. */
class WitnessAnswersTest {

    @Test
    void oversized_malformed_or_forged_witness_answers_are_refused_and_change_nothing() throws Exception {
        var keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String name = "bad.example/witness";
        String vkey = SignedNote.verifierKey(name, Cosignature.TYPE, keys.getPublic());
        String[] answers = {"x".repeat(100_000), "not a signature line\n",
                // A well-formed line from the right name and key id, over another text.
                Cosignature.sign(name, keys.getPrivate(), keys.getPublic(), "other.example/log\n1\nAAAA\n", 1).format()};
        AtomicInteger asked = new AtomicInteger();
        HttpServer witness = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        witness.createContext("/add-checkpoint", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = answers[Math.min(asked.getAndIncrement(), answers.length - 1)].getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        witness.start();
        try (TestService service = TestService.start(Databases.h2(), Map.of("consent.audit.witnesses",
                "http://127.0.0.1:" + witness.getAddress().getPort() + " " + vkey, "consent.audit.witness-quorum", 1,
                "consent.audit.witness-retry", "50ms"))) {
            AuditClient audit = new AuditClient(service.api());
            audit.activity(2);
            audit.checkpoint();
            await().until(() -> asked.get() >= answers.length);
            assertThat(service.count("SELECT COUNT(*) FROM cosignature")).isZero();
            assertThat(SignedNote.parse(service.api().get("/log/checkpoint", null).body()).signatures()).hasSize(1);
            assertThat(service.api().get("/prometheus", Tokens.METRICS).body())
                    .contains("consent_audit_witness_failures_total{witness=\"bad.example/witness\"}");
            // The health endpoint's details (for operators) name the failing witness; the service stays UP.
            var health = service.api().get("/health", Tokens.admin());
            assertThat(health.str("status")).isEqualTo("UP");
            assertThat(health.body()).contains("\"bad.example/witness\"").contains("\"state\":\"failing\"");
            assertThat(service.api().get("/health", null).body()).doesNotContain("witness");
            assertThat(service.api().get("/health", Tokens.regulator()).body()).doesNotContain("witness");
        } finally {
            witness.stop(0);
        }
    }
}
