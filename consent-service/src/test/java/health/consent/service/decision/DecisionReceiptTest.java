package health.consent.service.decision;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.model.wire.DecisionReceipt;
import health.consent.model.wire.Json;
import health.consent.sdk.ConsentClient;
import health.consent.sdk.SignedDecision;
import health.consent.sdk.verifier.AuditVerifierCli;
import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed decision receipts: what the service signs, who can check it, and the SDK and verifier around them. */
class DecisionReceiptTest extends OnBothDatabases {

    @TempDir
    Path dir;

    @Test
    void a_receipt_signs_the_answer_and_checks_with_the_published_key_alone() throws Exception {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        decide(api, Tokens.patient(patient), app, "STATISTICS", "REFUSED");
        long before = Instant.now().getEpochSecond();

        Res answer = api.get("/api/v1/decisions/" + patient + "/STATISTICS?receipt=true", Tokens.application(app));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        String jws = answer.str("receipt");
        Res key = api.get("/api/v1/audit/receipt-key", null);
        assertThat(key.status()).as("the key is public").isEqualTo(200);

        // Checked here from RFC 7515 and RFC 8037 with the JDK alone, not with the project's code.
        Map<String, Object> jwk = Json.object(key.body());
        byte[] x = Base64.getUrlDecoder().decode((String) jwk.get("x"));
        byte[] spki = HexFormat.of().parseHex("302a300506032b6570032100" + HexFormat.of().formatHex(x));
        Signature ed = Signature.getInstance("Ed25519");
        ed.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki)));
        String[] parts = jws.split("\\.");
        ed.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(ed.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
        Map<String, Object> header = Json.object(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
        assertThat(header).containsEntry("alg", "EdDSA").containsEntry("kid", jwk.get("kid"));
        Map<String, Object> claims = Json.object(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        assertThat(claims).containsEntry("app", app).containsEntry("patient", patient)
                .containsEntry("purpose", "STATISTICS").containsEntry("decision", "DENY").containsEntry("reason", "REFUSED")
                .containsEntry("version", answer.num("version"));
        assertThat(((Number) claims.get("iat")).longValue()).isBetween(before, Instant.now().getEpochSecond());
        assertThat(answer.str("decision")).isEqualTo("DENY");

        // A key of its own: the receipt does not verify with the audit log's key.
        String auditKey = api.get("/api/v1/audit/public-key", null).str("publicKey");
        Signature withAuditKey = Signature.getInstance("Ed25519");
        withAuditKey.initVerify(KeyFactory.getInstance("Ed25519")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(auditKey))));
        withAuditKey.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(withAuditKey.verify(Base64.getUrlDecoder().decode(parts[2]))).isFalse();
    }

    @Test
    void without_receipt_the_answer_is_unchanged_and_a_bad_value_is_refused() {
        String app = registerApplication(api);
        Res plain = api.get("/api/v1/decisions/" + newPatient() + "/CARE", Tokens.application(app));
        assertThat(plain.map()).containsOnlyKeys("decision", "reason", "version");
        Res bad = api.get("/api/v1/decisions/" + newPatient() + "/CARE?receipt=yes", Tokens.application(app));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.body()).contains("\"receipt\"");
    }

    @Test
    void the_sdk_returns_the_signed_decision_and_the_verifier_checks_the_kept_receipt_offline() throws Exception {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        decide(api, Tokens.patient(patient), app, "STATISTICS", "GRANTED");
        SignedDecision signed;
        try (ConsentClient client = ConsentClient.builder().baseUrl(service.uri()).token(() -> Tokens.application(app))
                .followChanges(false).build()) {
            signed = client.checkWithReceipt(patient, Purpose.STATISTICS);
        }
        assertThat(signed.permitted()).isTrue();
        assertThat(signed.claims()).isEqualTo(new DecisionReceipt(app, patient, Purpose.STATISTICS, Outcome.PERMIT,
                Reason.GRANTED, signed.claims().version(), signed.claims().iat()));

        Path jwk = Files.writeString(dir.resolve("receipt-key.json"), api.get("/api/v1/audit/receipt-key", null).body());
        Path kept = Files.writeString(dir.resolve("receipt.jws"), signed.receipt());
        assertThat(cli("receipt", "--jwk", jwk.toString(), "--receipt", kept.toString()))
                .startsWith("0 OK: the service answered PERMIT (GRANTED");
        String[] parts = signed.receipt().split("\\.");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace(patient, "p-other")
                        .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        Path altered = Files.writeString(dir.resolve("altered.jws"), forged);
        assertThat(cli("receipt", "--jwk", jwk.toString(), "--receipt", altered.toString())).startsWith("1 FAILED");
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = AuditVerifierCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
        return code + " " + out.toString(StandardCharsets.UTF_8);
    }
}
