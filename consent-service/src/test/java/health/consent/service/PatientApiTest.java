package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.decision;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatientApiTest extends OnBothDatabases {

    @Test
    void a_patient_sees_one_row_per_application_and_declared_purpose() {
        String app = registerApplication(api, "STATISTICS", "COMMERCIALISATION");
        String token = Tokens.patient(newPatient());
        decide(api, token, app, "CARE", "GRANTED");
        List<JsonNode> rows = api.get("/api/v1/me/consents", token).list("").stream()
                .filter(r -> r.get("applicationId").getStringValue().equals(app)).toList();
        assertThat(rows).extracting(r -> r.get("purpose").getStringValue())
                .containsExactly("CARE", "STATISTICS", "COMMERCIALISATION");
        JsonNode care = rows.get(0);
        assertThat(care.get("state").getStringValue()).isEqualTo("GRANTED");
        assertThat(care.get("decision").getStringValue()).isEqualTo("PERMIT");
        assertThat(care.get("reason").getStringValue()).isEqualTo("GRANTED");
        assertThat(care.get("noticeVersion").getIntValue()).isEqualTo(1);
        assertThat(care.get("version").getLongValue()).isEqualTo(1);
        assertThat(care.get("updatedAt").getStringValue()).isNotBlank();
        assertThat(care.get("applicationName").getStringValue()).isEqualTo("Suivi " + app);
    }

    @Test
    void if_match_with_a_stale_version_is_refused_and_changes_nothing() {
        String app = registerApplication(api);
        String token = Tokens.patient(newPatient());
        Res first = api.put("/api/v1/me/consents/" + app + "/CARE", token, decision("GRANTED", 1), Map.of("If-Match", "\"0\""));
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("ETag")).isEqualTo("\"1\"");

        Res stale = api.put("/api/v1/me/consents/" + app + "/CARE", token, decision("REFUSED", 1), Map.of("If-Match", "\"0\""));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.contentType()).startsWith("application/problem+json");
        assertThat(api.get("/api/v1/me/consents/history", token).num("totalItems")).isEqualTo(1);

        Res current = api.put("/api/v1/me/consents/" + app + "/CARE", token, decision("REFUSED", 1), Map.of("If-Match", "1"));
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.num("consent.version")).isEqualTo(2);

        Res malformed = api.put("/api/v1/me/consents/" + app + "/CARE", token, decision("GRANTED", 1), Map.of("If-Match", "abc"));
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.str("errors[0].field")).isEqualTo("If-Match");
    }

    @Test
    void the_history_is_paged_newest_first() {
        String app = registerApplication(api, "STATISTICS");
        String token = Tokens.patient(newPatient());
        decide(api, token, app, "CARE", "GRANTED");
        decide(api, token, app, "STATISTICS", "GRANTED");
        decide(api, token, app, "STATISTICS", "WITHDRAWN");
        decide(api, token, app, "STATISTICS", "GRANTED");
        decide(api, token, app, "STATISTICS", "REFUSED");

        Res first = api.get("/api/v1/me/consents/history?page=0&size=2", token);
        assertThat(first.num("totalItems")).isEqualTo(5);
        assertThat(first.num("totalPages")).isEqualTo(3);
        assertThat(first.list("items")).extracting(e -> e.get("state").getStringValue()).containsExactly("REFUSED", "GRANTED");
        Res last = api.get("/api/v1/me/consents/history?page=2&size=2", token);
        assertThat(last.list("items")).extracting(e -> e.get("purpose").getStringValue()).containsExactly("CARE");

        for (String bad : List.of("page=-1", "size=0", "size=201", "page=abc")) {
            Res res = api.get("/api/v1/me/consents/history?" + bad, token);
            assertThat(res.status()).as(bad).isEqualTo(400);
            assertThat(res.contentType()).startsWith("application/problem+json");
            assertThat(res.body()).contains(bad.substring(0, bad.indexOf('=')));
        }
    }

    @Test
    void the_export_holds_the_consents_the_whole_history_the_notices_seen_the_access_log_and_the_concerns() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, app, "CARE", "GRANTED");
        decide(api, token, app, "STATISTICS", "REFUSED");
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/v1/access-records", Tokens.application(app), """
                    [{"id": "%s", "patientId": "%s", "purpose": "CARE", "actor": "dr-martin", "dataCategory": "vitals",
                      "outcome": "PERMIT", "at": "%s"}]""".formatted(java.util.UUID.randomUUID(), patient,
                    java.time.Instant.now().minusSeconds(10 - i))).status()).isEqualTo(200);
        }
        assertThat(api.post("/api/v1/me/concerns", token, "{\"applicationId\": \"" + app
                + "\", \"category\": \"OTHER\", \"text\": \"Pourquoi trois lectures ?\"}").status()).isEqualTo(201);
        Res export = api.get("/api/v1/me/export", token);
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.header("Content-Disposition")).contains("attachment");
        assertThat(export.str("patientId")).isEqualTo(patient);
        assertThat(export.list("history")).hasSize(2);
        assertThat(export.list("consents")).anyMatch(c -> c.get("applicationId").getStringValue().equals(app)
                && c.get("state").getStringValue().equals("REFUSED"));
        assertThat(export.list("notices")).extracting(n -> n.get("notice").get("fr").getStringValue())
                .containsExactlyInAnyOrder("Notice CARE v1", "Notice STATISTICS v1");
        assertThat(export.list("accessLog")).as("oldest first").hasSize(3)
                .extracting(e -> e.get("at").getStringValue()).isSorted();
        assertThat(export.list("accessLog")).allSatisfy(e -> assertThat(e.get("actor").getStringValue()).isEqualTo("dr-martin"));
        assertThat(export.list("concerns")).singleElement()
                .satisfies(c -> assertThat(c.get("text").getStringValue()).isEqualTo("Pourquoi trois lectures ?"));
    }

    @Test
    void a_patient_never_sees_another_patients_data() {
        String app = registerApplication(api);
        String alice = newPatient();
        String bob = newPatient();
        decide(api, Tokens.patient(alice), app, "CARE", "GRANTED");

        Res bobs = api.get("/api/v1/me/consents", Tokens.patient(bob));
        assertThat(bobs.body()).doesNotContain(alice);
        assertThat(bobs.list("")).filteredOn(r -> r.get("applicationId").getStringValue().equals(app))
                .allSatisfy(r -> assertThat(r.get("state").getStringValue()).isEqualTo("NOT_SET"));
        assertThat(api.get("/api/v1/me/consents/history", Tokens.patient(bob)).num("totalItems")).isZero();
        Res export = api.get("/api/v1/me/export", Tokens.patient(bob));
        assertThat(export.body()).doesNotContain(alice);
        assertThat(export.list("history")).isEmpty();
    }

    @Test
    void only_patients_reach_the_patient_api() {
        for (String token : List.of(Tokens.application("some-app"), Tokens.regulator(), Tokens.admin())) {
            assertThat(api.get("/api/v1/me/consents", token).status()).isEqualTo(403);
            assertThat(api.get("/api/v1/me/export", token).status()).isEqualTo(403);
        }
    }
}
