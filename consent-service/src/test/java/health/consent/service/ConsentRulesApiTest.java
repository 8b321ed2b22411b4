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
import org.junit.jupiter.api.Test;

/** The rules of the domain (DESIGN.md), each checked through the HTTP API. */
class ConsentRulesApiTest extends OnBothDatabases {

    private static Res check(String app, String patient, String purpose) {
        Res res = api.get("/api/v1/decisions/" + patient + "/" + purpose, Tokens.application(app));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res;
    }

    private static JsonNode row(String token, String app, String purpose) {
        return api.get("/api/v1/me/consents", token).list("").stream()
                .filter(r -> r.get("applicationId").getStringValue().equals(app)
                        && r.get("purpose").getStringValue().equals(purpose))
                .findFirst().orElseThrow();
    }

    @Test
    void rule_1_opt_in_every_purpose_is_denied_until_the_patient_decides() {
        String app = registerApplication(api, "STATISTICS", "SERVICE_IMPROVEMENT", "COMMERCIALISATION");
        String patient = newPatient();
        List<JsonNode> rows = api.get("/api/v1/me/consents", Tokens.patient(patient)).list("").stream()
                .filter(r -> r.get("applicationId").getStringValue().equals(app)).toList();
        assertThat(rows).hasSize(4).allSatisfy(r -> {
            assertThat(r.get("state").getStringValue()).isEqualTo("NOT_SET");
            assertThat(r.get("decision").getStringValue()).isEqualTo("DENY");
            assertThat(r.get("version").getLongValue()).isZero();
        });
        assertThat(check(app, patient, "CARE").str("reason")).isEqualTo("NOT_SET");
        assertThat(check(app, patient, "STATISTICS").str("decision")).isEqualTo("DENY");
    }

    @Test
    void rule_2_a_secondary_purpose_cannot_be_granted_without_care() {
        String app = registerApplication(api, "STATISTICS");
        String token = Tokens.patient(newPatient());
        Res refused = api.put("/api/v1/me/consents/" + app + "/STATISTICS", token, decision("GRANTED", 1));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.str("type")).endsWith("care-not-granted");
        assertThat(row(token, app, "STATISTICS").get("state").getStringValue()).isEqualTo("NOT_SET");
        assertThat(api.get("/api/v1/me/consents/history", token).num("totalItems")).isZero();
        // Refusing is always possible, even before connecting the application.
        decide(api, token, app, "STATISTICS", "REFUSED");
    }

    @Test
    void rule_2_withdrawing_care_withdraws_every_secondary_grant_as_separate_events() {
        String app = registerApplication(api, "STATISTICS", "SERVICE_IMPROVEMENT", "COMMERCIALISATION");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, app, "CARE", "GRANTED");
        decide(api, token, app, "STATISTICS", "GRANTED");
        decide(api, token, app, "SERVICE_IMPROVEMENT", "GRANTED");
        decide(api, token, app, "COMMERCIALISATION", "REFUSED");
        assertThat(check(app, patient, "STATISTICS").str("decision")).isEqualTo("PERMIT");

        Res withdrawn = decide(api, token, app, "CARE", "WITHDRAWN");
        assertThat(withdrawn.list("cascaded")).extracting(c -> c.get("purpose").getStringValue())
                .containsExactlyInAnyOrder("STATISTICS", "SERVICE_IMPROVEMENT");

        for (String purpose : List.of("STATISTICS", "SERVICE_IMPROVEMENT")) {
            assertThat(row(token, app, purpose).get("state").getStringValue()).isEqualTo("WITHDRAWN");
            assertThat(check(app, patient, purpose).str("decision")).isEqualTo("DENY");
        }
        assertThat(row(token, app, "COMMERCIALISATION").get("state").getStringValue()).isEqualTo("REFUSED");

        List<JsonNode> events = api.get("/api/v1/me/consents/history?size=10", token).list("items");
        assertThat(events).hasSize(7);
        long careEvent = events.get(2).get("seq").getLongValue();
        assertThat(events.get(2).get("purpose").getStringValue()).isEqualTo("CARE");
        assertThat(events.subList(0, 2)).allSatisfy(e -> {
            assertThat(e.get("state").getStringValue()).isEqualTo("WITHDRAWN");
            assertThat(e.get("channel").getStringValue()).isEqualTo("CASCADE");
            assertThat(e.get("cause").getLongValue()).isEqualTo(careEvent);
            assertThat(e.get("decidedBy").get("id").getStringValue()).isEqualTo(patient);
        });
    }

    @Test
    void rule_3_granting_care_never_grants_a_secondary_purpose() {
        String app = registerApplication(api, "STATISTICS", "COMMERCIALISATION");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        Res granted = decide(api, token, app, "CARE", "GRANTED");
        assertThat(granted.list("cascaded")).isEmpty();
        assertThat(check(app, patient, "CARE").str("decision")).isEqualTo("PERMIT");
        assertThat(check(app, patient, "STATISTICS").str("reason")).isEqualTo("NOT_SET");
        assertThat(check(app, patient, "COMMERCIALISATION").str("reason")).isEqualTo("NOT_SET");
        assertThat(api.get("/api/v1/me/consents/history", token).num("totalItems")).isEqualTo(1);
    }

    @Test
    void rule_3_an_application_cannot_make_a_secondary_purpose_mandatory() {
        Res res = api.post("/api/v1/applications", Tokens.admin(), """
                {"id": "mandatory-stats", "name": "X", "publisher": "Y", "purposes": [
                  {"purpose": "CARE", "noticeVersion": 1, "notice": {"fr": "a", "en": "b"}},
                  {"purpose": "STATISTICS", "noticeVersion": 1, "notice": {"fr": "a", "en": "b"}, "mandatory": true}]}""");
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.str("errors[0].field")).isEqualTo("purposes[1].mandatory");
    }

    @Test
    void rule_4_an_undeclared_purpose_is_denied_as_not_declared() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, app, "CARE", "GRANTED");
        assertThat(check(app, patient, "COMMERCIALISATION").str("reason")).isEqualTo("PURPOSE_NOT_DECLARED");
        Res res = api.put("/api/v1/me/consents/" + app + "/COMMERCIALISATION", token, decision("GRANTED", 1));
        assertThat(res.status()).isEqualTo(404);
        assertThat(res.str("detail")).contains("does not declare");
    }

    @Test
    void rule_5_a_new_notice_version_requires_the_patient_to_decide_again() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, app, "CARE", "GRANTED");
        decide(api, token, app, "STATISTICS", "GRANTED");
        assertThat(check(app, patient, "STATISTICS").str("decision")).isEqualTo("PERMIT");

        for (String purpose : List.of("CARE", "STATISTICS")) {
            assertThat(api.put("/api/v1/applications/" + app + "/purposes/" + purpose, Tokens.admin(),
                    "{\"noticeVersion\": 2, \"notice\": {\"fr\": \"nouveau\", \"en\": \"new\"}}").status()).isEqualTo(200);
        }
        assertThat(check(app, patient, "STATISTICS").str("reason")).isEqualTo("RECONSENT_REQUIRED");
        assertThat(check(app, patient, "CARE").str("decision")).as("a new notice never blocks care").isEqualTo("PERMIT");
        JsonNode row = row(token, app, "STATISTICS");
        assertThat(row.get("state").getStringValue()).isEqualTo("GRANTED");
        assertThat(row.get("reason").getStringValue()).isEqualTo("RECONSENT_REQUIRED");
        assertThat(row.get("currentNoticeVersion").getIntValue()).isEqualTo(2);

        Res stale = api.put("/api/v1/me/consents/" + app + "/STATISTICS", token, decision("GRANTED", 1));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.str("type")).endsWith("notice-not-current");
        Res renewed = api.put("/api/v1/me/consents/" + app + "/STATISTICS", token, decision("GRANTED", 2));
        assertThat(renewed.status()).isEqualTo(200);
        assertThat(check(app, patient, "STATISTICS").str("decision")).isEqualTo("PERMIT");
    }

    @Test
    void rule_6_every_change_is_an_append_only_event_naming_who_when_channel_and_notice() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, app, "CARE", "GRANTED");
        Res web = api.put("/api/v1/me/consents/" + app + "/STATISTICS", token,
                "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"channel\": \"WEB\"}");
        assertThat(web.status()).isEqualTo(200);
        List<JsonNode> before = api.get("/api/v1/me/consents/history", token).list("items");

        decide(api, token, app, "STATISTICS", "WITHDRAWN");
        List<JsonNode> after = api.get("/api/v1/me/consents/history", token).list("items");
        assertThat(after).hasSize(3);
        // An event's place in the audit log (leafIndex) is given to it once, after it is written;
        // everything the event says is never rewritten.
        assertThat(withoutLeafIndex(after.subList(1, 3))).as("earlier events are never rewritten")
                .isEqualTo(withoutLeafIndex(before));
        JsonNode latest = after.get(0);
        assertThat(latest.get("state").getStringValue()).isEqualTo("WITHDRAWN");
        assertThat(latest.get("previousState").getStringValue()).isEqualTo("GRANTED");
        assertThat(latest.get("noticeVersion").getIntValue()).isEqualTo(1);
        assertThat(latest.get("channel").getStringValue()).isEqualTo("API");
        assertThat(latest.get("decidedBy").get("type").getStringValue()).isEqualTo("PATIENT");
        assertThat(latest.get("decidedBy").get("id").getStringValue()).isEqualTo(patient);
        assertThat(latest.get("at").getStringValue()).isNotBlank();
        assertThat(before.get(0).get("channel").getStringValue()).isEqualTo("WEB");
        // The current state is the last event's.
        assertThat(row(token, app, "STATISTICS").get("state").getStringValue()).isEqualTo("WITHDRAWN");
    }

    @Test
    void rule_6_a_representative_acting_for_a_patient_is_recorded_as_such() {
        String app = registerApplication(api);
        String patient = newPatient();
        Res res = api.put("/api/v1/me/consents/" + app + "/CARE", Tokens.representative(patient, "aidant-77"),
                decision("GRANTED", 1));
        assertThat(res.status()).isEqualTo(200);
        JsonNode event = api.get("/api/v1/me/consents/history", Tokens.patient(patient)).list("items").get(0);
        assertThat(event.get("decidedBy").get("type").getStringValue()).isEqualTo("REPRESENTATIVE");
        assertThat(event.get("decidedBy").get("id").getStringValue()).isEqualTo("aidant-77");
        assertThat(check(app, patient, "CARE").str("decision")).isEqualTo("PERMIT");
    }

    @Test
    void repeating_a_decision_changes_nothing_and_records_nothing() {
        String app = registerApplication(api);
        String token = Tokens.patient(newPatient());
        decide(api, token, app, "CARE", "GRANTED");
        Res again = decide(api, token, app, "CARE", "GRANTED");
        assertThat(again.num("consent.version")).isEqualTo(1);
        assertThat(api.get("/api/v1/me/consents/history", token).num("totalItems")).isEqualTo(1);
    }

    @Test
    void only_a_grant_can_be_withdrawn() {
        String app = registerApplication(api);
        String token = Tokens.patient(newPatient());
        Res res = api.put("/api/v1/me/consents/" + app + "/CARE", token, decision("WITHDRAWN", 1));
        assertThat(res.status()).isEqualTo(409);
        assertThat(res.str("type")).endsWith("nothing-to-withdraw");
    }

    @Test
    void a_suspended_application_is_denied_and_cannot_be_granted_but_can_be_withdrawn() {
        String app = registerApplication(api);
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, app, "CARE", "GRANTED");
        assertThat(api.put("/api/v1/applications/" + app + "/status", Tokens.admin(), "{\"status\": \"SUSPENDED\"}")
                .status()).isEqualTo(200);
        assertThat(check(app, patient, "CARE").str("reason")).isEqualTo("APPLICATION_SUSPENDED");
        String other = Tokens.patient(newPatient());
        assertThat(api.put("/api/v1/me/consents/" + app + "/CARE", other, decision("GRANTED", 1)).status())
                .isEqualTo(409);
        decide(api, token, app, "CARE", "WITHDRAWN");
    }

    @Test
    void an_application_unknown_to_the_catalogue_is_denied_as_unknown() {
        assertThat(check("never-registered", newPatient(), "CARE").str("reason")).isEqualTo("UNKNOWN_APPLICATION");
    }

    private static List<java.util.Map<String, Object>> withoutLeafIndex(List<JsonNode> events) {
        List<java.util.Map<String, Object>> out = new java.util.ArrayList<>();
        for (JsonNode e : events) {
            java.util.Map<String, Object> fields = new java.util.TreeMap<>();
            e.entries().forEach(f -> {
                if (!f.getKey().equals("leafIndex")) {
                    fields.put(f.getKey(), f.getValue().toString());
                }
            });
            out.add(fields);
        }
        return out;
    }
}
