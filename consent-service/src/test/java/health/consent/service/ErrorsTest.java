package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad input gets a 4xx problem naming what is wrong, and changes nothing. */
class ErrorsTest extends OnBothDatabases {

    private record Case(String body, String field) {
    }

    @Test
    void bad_consent_changes_are_named_and_change_nothing() {
        String app = registerApplication(api, "STATISTICS");
        String token = Tokens.patient(newPatient());
        decide(api, token, app, "CARE", "GRANTED");
        Map<String, Case> cases = Map.of(
                "malformed JSON", new Case("{\"state\": \"GRANTED\"", null),
                "not an object", new Case("[\"GRANTED\"]", "body"),
                "unknown state", new Case("{\"state\": \"MAYBE\", \"noticeVersion\": 1}", "state"),
                "missing state", new Case("{\"noticeVersion\": 1}", "state"),
                "NOT_SET chosen", new Case("{\"state\": \"NOT_SET\"}", "state"),
                "grant without notice", new Case("{\"state\": \"GRANTED\"}", "noticeVersion"),
                "wrong type", new Case("{\"state\": \"GRANTED\", \"noticeVersion\": \"one\"}", "noticeVersion"),
                "unknown field", new Case("{\"state\": \"REFUSED\", \"reason\": \"x\"}", "reason"),
                "unknown channel", new Case("{\"state\": \"REFUSED\", \"channel\": \"FAX\"}", "channel"),
                "huge number", new Case("{\"state\": \"GRANTED\", \"noticeVersion\": 1e400}", "noticeVersion"));
        cases.forEach((name, c) -> {
            Res res = api.put("/api/v1/me/consents/" + app + "/STATISTICS", token, c.body());
            assertThat(res.status()).as(name + ": " + res).isEqualTo(400);
            assertThat(res.contentType()).as(name).startsWith("application/problem+json");
            assertThat(res.num("status")).isEqualTo(400);
            assertThat(res.str("detail")).as(name).isNotBlank();
            if (c.field() != null) {
                assertThat(res.str("errors[0].field")).as(name).isEqualTo(c.field());
            }
        });
        Res unknownPurpose = api.put("/api/v1/me/consents/" + app + "/MARKETING", token, "{\"state\": \"REFUSED\"}");
        assertThat(unknownPurpose.status()).isEqualTo(400);
        assertThat(unknownPurpose.str("errors[0].field")).isEqualTo("purpose");
        Res unknownApp = api.put("/api/v1/me/consents/no-such-app/CARE", token, "{\"state\": \"REFUSED\"}");
        assertThat(unknownApp.status()).isEqualTo(404);

        assertThat(api.get("/api/v1/me/consents/history", token).num("totalItems")).as("nothing was written").isEqualTo(1);
    }

    @Test
    void an_oversized_body_is_refused_with_a_problem() {
        String token = Tokens.admin();
        String huge = "{\"id\": \"big-app\", \"name\": \"" + "x".repeat(2_000_000) + "\"}";
        Res res = api.post("/api/v1/applications", token, huge);
        assertThat(res.status()).isEqualTo(413);
        assertThat(res.contentType()).startsWith("application/problem+json");
        assertThat(api.get("/api/v1/applications/big-app", token).status()).isEqualTo(404);
    }

    @Test
    void long_texts_and_control_characters_in_notices_are_refused() {
        String id = "ctl-" + newPatient().substring(8);
        Res res = api.post("/api/v1/applications", Tokens.admin(), """
                {"id": "%s", "name": "Bad\\u0007Name", "publisher": "%s", "purposes": [
                 {"purpose": "CARE", "noticeVersion": 1, "notice": {"fr": "a", "en": "b"}}]}"""
                .formatted(id, "p".repeat(201)));
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.list("errors")).extracting(e -> e.get("field").getStringValue()).containsExactly("name", "publisher");
        assertThat(api.get("/api/v1/applications/" + id, Tokens.admin()).status()).isEqualTo(404);
    }

    @Test
    void unknown_paths_and_methods_are_problems_too() {
        Res notFound = api.get("/api/v1/nothing-here", Tokens.admin());
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.contentType()).startsWith("application/problem+json");
        Res method = api.send("DELETE", "/api/v1/applications", Tokens.admin(), null, Map.of());
        assertThat(method.status()).isIn(404, 405);
        assertThat(method.contentType()).startsWith("application/problem+json");
    }

    @Test
    void a_failure_inside_a_change_writes_neither_the_consent_nor_its_event() {
        String app = registerApplication(api);
        String poisoned = "poison-" + newPatient().substring(8);
        // Events of this one patient can no longer be stored: the consent row written just
        // before its event must be rolled back with it.
        service.sql("ALTER TABLE consent_event ADD CONSTRAINT poison_check CHECK (patient_id <> '" + poisoned + "')");
        try {
            Res res = api.put("/api/v1/me/consents/" + app + "/CARE", Tokens.patient(poisoned),
                    "{\"state\": \"GRANTED\", \"noticeVersion\": 1}");
            assertThat(res.status()).isEqualTo(500);
            assertThat(res.contentType()).startsWith("application/problem+json");
            assertThat(res.body()).doesNotContain("poison_check").doesNotContain("SQL");
            assertThat(api.get("/api/v1/decisions/" + poisoned + "/CARE", Tokens.application(app)).str("reason"))
                    .isEqualTo("NOT_SET");
        } finally {
            service.sql("ALTER TABLE consent_event DROP CONSTRAINT poison_check");
        }
    }
}
