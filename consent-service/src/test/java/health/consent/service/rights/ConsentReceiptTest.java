package health.consent.service.rights;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.wire.DecisionReceipt;
import health.consent.model.wire.Jws;
import health.consent.sdk.verifier.AuditVerifierCli;
import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consent receipts: one per event of the patient's history, shaped after ISO/IEC TS 27560, signed. */
class ConsentReceiptTest extends OnBothDatabases {

    @TempDir
    Path dir;

    @Test
    void each_event_has_a_signed_receipt_naming_the_notice_text_agreed_to_that_the_verifier_checks() throws Exception {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        long seq = api.get("/api/v1/me/consents/history", Tokens.patient(patient)).list("items").get(0).get("seq")
                .getLongValue();
        Res res = api.get("/api/v1/me/receipts/" + seq, Tokens.patient(patient));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        Map<String, Object> receipt = res.map();
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) receipt.get("receipt");
        assertThat(r).containsEntry("piiPrincipalId", patient).containsEntry("state", "GRANTED")
                .containsEntry("channel", "API");
        @SuppressWarnings("unchecked")
        Map<String, Object> controller = (Map<String, Object>) r.get("controller");
        assertThat(controller).containsEntry("name", "Éditeur Santé").containsEntry("applicationId", app);
        Map<?, ?> purpose = (Map<?, ?>) ((List<?>) r.get("purposes")).get(0);
        // The notice text the fixtures published, hashed here from the documented canonical form.
        String text = "{\"en\":\"Notice CARE v1\",\"fr\":\"Notice CARE v1\"}";
        assertThat(purpose.get("noticeSha256")).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))));

        String jws = (String) receipt.get("jws");
        String jwk = api.get("/api/v1/audit/receipt-key", null).body();
        assertThat(Jws.verify(jws, "consent-receipt+jwt", DecisionReceipt.fromJwk(jwk)))
                .containsEntry("receiptId", r.get("receiptId")).containsEntry("piiPrincipalId", patient);
        Path key = Files.writeString(dir.resolve("key.json"), jwk);
        Path kept = Files.writeString(dir.resolve("receipt.jws"), jws);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = AuditVerifierCli.run(new String[] {"receipt", "--jwk", key.toString(), "--receipt", kept.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("OK: consent receipt").contains("GRANTED for CARE");
    }

    @Test
    void another_patients_event_or_a_malformed_number_is_refused() {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        long seq = api.get("/api/v1/me/consents/history", Tokens.patient(patient)).list("items").get(0).get("seq")
                .getLongValue();
        assertThat(api.get("/api/v1/me/receipts/" + seq, Tokens.patient(newPatient())).status()).isEqualTo(404);
        Res bad = api.get("/api/v1/me/receipts/abc", Tokens.patient(patient));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("\"seq\"");
        assertThat(api.get("/api/v1/me/receipts/" + seq, Tokens.application(app)).status()).isEqualTo(403);
    }
}
