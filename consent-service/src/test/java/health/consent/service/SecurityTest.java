package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecurityTest extends OnBothDatabases {

    @Test
    void a_request_without_a_token_is_unauthorized() {
        for (String path : List.of("/api/v1/applications", "/api/v1/me/consents", "/api/v1/decisions/p-1/CARE",
                "/api/v1/ping")) {
            Res res = api.get(path, null);
            assertThat(res.status()).as(path).isEqualTo(401);
            assertThat(res.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void a_bad_token_is_unauthorized_and_changes_nothing() {
        String app = registerApplication(api);
        String patient = newPatient();
        Instant past = Instant.now().minusSeconds(3600);
        List<String> bad = List.of(
                "not-a-jwt",
                Tokens.sign(Tokens.claims(patient, "PATIENT").build(), "another-secret-that-is-long-enough-for-hs256"),
                Tokens.custom(patient, "PATIENT", c -> c.expirationTime(Date.from(past))),
                unsigned(Tokens.claims(patient, "PATIENT").build()));
        for (String token : bad) {
            Res res = api.put("/api/v1/me/consents/" + app + "/CARE", token, "{\"state\": \"GRANTED\", \"noticeVersion\": 1}");
            assertThat(res.status()).as(token).isEqualTo(401);
            assertThat(res.contentType()).startsWith("application/problem+json");
        }
        assertThat(api.get("/api/v1/me/consents/history", Tokens.patient(patient)).num("totalItems")).isZero();
    }

    @Test
    void forged_not_yet_valid_and_subjectless_tokens_are_unauthorized() {
        String app = registerApplication(api);
        String patient = newPatient();
        String genuine = Tokens.patient(patient);
        String[] parts = genuine.split("\\.");
        // The payload changed to another patient, the signature kept: a forgery.
        String otherPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                Tokens.claims("someone-else", "PATIENT").build().toString().getBytes());
        String elevated = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                Tokens.claims(patient, "ADMIN").build().toString().getBytes());
        List<String> bad = List.of(
                parts[0] + "." + otherPayload + "." + parts[2],
                parts[0] + "." + elevated + "." + parts[2],
                Tokens.custom(patient, "PATIENT", c -> c.notBeforeTime(Date.from(Instant.now().plusSeconds(3600)))),
                Tokens.custom(null, "PATIENT", c -> { }));
        for (String token : bad) {
            Res res = api.put("/api/v1/me/consents/" + app + "/CARE", token, "{\"state\": \"GRANTED\", \"noticeVersion\": 1}");
            assertThat(res.status()).as(token).isEqualTo(401);
            assertThat(api.post("/api/v1/applications", token, "{}").status()).isEqualTo(401);
        }
        assertThat(api.get("/api/v1/me/consents/history", genuine).num("totalItems")).isZero();
    }

    @Test
    void a_token_for_the_wrong_role_is_forbidden() {
        Res res = api.post("/api/v1/applications", Tokens.patient("p-1"), "{}");
        assertThat(res.status()).isEqualTo(403);
        assertThat(res.contentType()).startsWith("application/problem+json");
        Res noRole = api.get("/api/v1/applications", Tokens.custom("p-1", "NURSE", c -> { }));
        assertThat(noRole.status()).isEqualTo(403);
    }

    @Test
    void the_ping_answers_every_role() {
        for (String token : List.of(Tokens.patient("p-1"), Tokens.application("app-1"), Tokens.regulator(), Tokens.admin())) {
            Res res = api.get("/api/v1/ping", token);
            assertThat(res.status()).isEqualTo(200);
            assertThat(res.str("status")).isEqualTo("ok");
        }
    }

    @Test
    void the_development_token_endpoint_does_not_exist_outside_dev() {
        Res res = api.post("/dev/tokens", null, "{\"subject\": \"p-1\", \"roles\": [\"ADMIN\"]}");
        assertThat(res.status()).isEqualTo(404);
        assertThat(res.contentType()).startsWith("application/problem+json");
        assertThat(api.get("/dev/demo-patients", null).status()).isEqualTo(404);
    }

    @Test
    void a_patient_token_with_an_invalid_subject_is_refused() {
        Res res = api.get("/api/v1/me/consents", Tokens.patient("not valid!"));
        assertThat(res.status()).isEqualTo(403);
    }

    @Test
    void a_representative_cannot_hide_behind_a_malformed_act_claim() {
        String app = registerApplication(api);
        String patient = newPatient();
        String token = Tokens.custom(patient, "PATIENT", c -> c.claim("act", Map.of("name", "someone")));
        Res res = api.put("/api/v1/me/consents/" + app + "/CARE", token, "{\"state\": \"GRANTED\", \"noticeVersion\": 1}");
        assertThat(res.status()).isEqualTo(403);
        assertThat(api.get("/api/v1/me/consents/history", Tokens.patient(patient)).num("totalItems")).isZero();
    }

    @Test
    void an_application_token_cannot_change_a_patients_consent() {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        Res res = api.put("/api/v1/me/consents/" + app + "/CARE", Tokens.application(app),
                "{\"state\": \"WITHDRAWN\"}");
        assertThat(res.status()).isEqualTo(403);
    }

    private static String unsigned(JWTClaimsSet claims) {
        String header = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        String payload = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.toString().getBytes());
        return header + "." + payload + ".";
    }
}
