package health.consent.service.hardening;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newApplicationId;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What an outside attack on the running service found, one test each, on H2 and PostgreSQL: each
 * failed before its fix.
 */
class AttackFindingsTest extends OnBothDatabases {

    private static String record(String patient, String actor, String at) {
        return "[{\"id\": \"" + UUID.randomUUID() + "\", \"patientId\": \"" + patient + "\", \"purpose\": \"CARE\", "
                + "\"actor\": " + actor + ", \"dataCategory\": \"lab-results\", \"outcome\": \"PERMIT\", \"at\": \""
                + at + "\"}]";
    }

    private long accessRecords() {
        return service.count("SELECT COUNT(*) FROM access_record");
    }

    private static List<String> fields(Res res) {
        return res.list("errors").stream().map(e -> e.get("field").getStringValue()).toList();
    }

    @Test
    void a_record_dated_before_its_application_existed_is_refused_and_names_the_field() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        long before = accessRecords();
        for (String at : List.of("-999999999-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "1900-01-01T00:00:00Z",
                Instant.now().minus(2, ChronoUnit.DAYS).toString())) {
            Res res = api.post("/api/v1/access-records", Tokens.application(app), record(patient, "\"analyst\"", at));
            assertThat(res.status()).as(at + ": " + res).isEqualTo(400);
            assertThat(fields(res)).containsExactly("[0].at");
            assertThat(res.str("errors[0].message")).contains("registered");
        }
        assertThat(accessRecords()).isEqualTo(before);
        Res now = api.post("/api/v1/access-records", Tokens.application(app),
                record(patient, "\"analyst\"", Instant.now().toString()));
        assertThat(now.status()).as(now.toString()).isEqualTo(200);
    }

    @Test
    void an_application_not_in_the_catalogue_or_suspended_records_nothing() {
        String patient = newPatient();
        long before = accessRecords();
        Res unknown = api.post("/api/v1/access-records", Tokens.application(newApplicationId()),
                record(patient, "\"analyst\"", Instant.now().toString()));
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(403);
        assertThat(unknown.str("type")).endsWith("unknown-application");

        String app = registerApplication(api);
        assertThat(api.put("/api/v1/applications/" + app + "/status", Tokens.admin(), "{\"status\": \"SUSPENDED\"}")
                .status()).isEqualTo(200);
        Res suspended = api.post("/api/v1/access-records", Tokens.application(app),
                record(patient, "\"analyst\"", Instant.now().toString()));
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(403);
        assertThat(suspended.str("type")).endsWith("application-suspended");
        assertThat(accessRecords()).isEqualTo(before);
        assertThat(api.get("/api/v1/me/access-log", Tokens.patient(patient)).list("items")).isEmpty();
    }

    @Test
    void an_actor_with_control_or_bidirectional_characters_is_refused() {
        String app = registerApplication(api);
        String patient = newPatient();
        long before = accessRecords();
        for (String actor : List.of("\"Autorit\u00e9 \u202eappelez le 0800\"", "\"line\\nbreak\"",
                "\"zero\u200bwidth\"", "\"tab\\there\"", "\"<script>alert(1)</script>\"")) {
            Res res = api.post("/api/v1/access-records", Tokens.application(app),
                    record(patient, actor, Instant.now().toString()));
            assertThat(res.status()).as(actor + ": " + res).isEqualTo(400);
            assertThat(fields(res)).containsExactly("[0].actor");
        }
        assertThat(accessRecords()).isEqualTo(before);
        Res accented = api.post("/api/v1/access-records", Tokens.application(app),
                record(patient, "\"Dr Zo\u00e9 L'H\u00f4pital (lab-7)\"", Instant.now().toString()));
        assertThat(accented.status()).as(accented.toString()).isEqualTo(200);
    }

    @Test
    void a_regulator_reading_patient_rows_must_give_a_reason_and_each_patient_sees_the_read() {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        api.post("/api/v1/access-records", Tokens.application(app),
                record(patient, "\"analyst\"", Instant.now().toString()));
        for (String path : List.of("/api/v1/audit/access-records", "/api/v1/audit/consent-events")) {
            Res noReason = api.get(path + "?applicationId=" + app, Tokens.regulator());
            assertThat(noReason.status()).as(path + ": " + noReason).isEqualTo(400);
            assertThat(fields(noReason)).containsExactly("reason");
        }
        Res read = api.get("/api/v1/audit/consent-events?applicationId=" + app
                + "&reason=" + "Inspection%20of%20case%2042", Tokens.regulator());
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.list("items")).isNotEmpty();
        List<String> seen = api.get("/api/v1/me/access-log", Tokens.patient(patient)).list("items").stream()
                .filter(e -> e.get("accessorType").getStringValue().equals("REGULATOR"))
                .map(e -> e.get("reason").getStringValue()).toList();
        assertThat(seen).containsExactly("Inspection of case 42");
        Res rates = api.get("/api/v1/reports/consent-rates", Tokens.regulator());
        assertThat(rates.status()).as("aggregates need no reason").isEqualTo(200);
    }

    @Test
    void a_suspended_application_learns_nothing_about_patients() {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        assertThat(api.put("/api/v1/applications/" + app + "/status", Tokens.admin(), "{\"status\": \"SUSPENDED\"}")
                .status()).isEqualTo(200);
        long position = api.get("/api/v1/changes", Tokens.application(app)).num("next");
        decide(api, Tokens.patient(patient), app, "CARE", "WITHDRAWN");
        Res changes = api.get("/api/v1/changes?wait=1&after=" + position, Tokens.application(app));
        assertThat(changes.status()).as(changes.toString()).isEqualTo(200);
        assertThat(changes.list("changes")).allSatisfy(c -> assertThat(c.get("patientId").isNull()).isTrue());
        Res decision = api.get("/api/v1/decisions/" + patient + "/CARE", Tokens.application(app));
        assertThat(decision.str("reason")).isEqualTo("APPLICATION_SUSPENDED");
        assertThat(decision.num("version")).as("no trace that the patient ever decided").isZero();
    }

    @Test
    void a_position_beyond_the_head_of_the_feed_tells_the_client_to_start_again() {
        String app = registerApplication(api);
        long head = api.get("/api/v1/changes", Tokens.application(app)).num("next");
        Res beyond = api.get("/api/v1/changes?wait=0&after=" + (head + 5_000_000), Tokens.application(app));
        assertThat(beyond.status()).isEqualTo(200);
        assertThat(beyond.at("reset").getBooleanValue()).isTrue();
        assertThat(beyond.num("next")).isLessThanOrEqualTo(head + 1);
        Res normal = api.get("/api/v1/changes?wait=0&after=" + head, Tokens.application(app));
        assertThat(normal.at("reset").getBooleanValue()).isFalse();
    }

    @Test
    void a_representative_who_is_the_patient_is_refused_and_a_regulator_acting_person_is_recorded() {
        String app = registerApplication(api);
        String patient = newPatient();
        Res self = api.put("/api/v1/me/consents/" + app + "/CARE", Tokens.representative(patient, patient),
                "{\"state\": \"GRANTED\", \"noticeVersion\": 1}");
        assertThat(self.status()).as(self.toString()).isEqualTo(403);
        assertThat(service.count("SELECT COUNT(*) FROM consent_event WHERE patient_id = '" + patient + "'")).isZero();

        String regulator = Tokens.custom("regulator-1", "REGULATOR", c -> c.claim("act", Map.of("sub", "inspector-7")));
        Res read = api.get("/api/v1/audit/access-records?patientId=" + patient
                + "&reason=Checking%20a%20complaint", regulator);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        Res log = api.get("/api/v1/me/access-log", Tokens.patient(patient));
        assertThat(log.str("items[0].actor")).contains("inspector-7");
    }

    @Test
    void one_patient_cannot_change_consents_without_limit() {
        String app = registerApplication(api);
        String patient = newPatient();
        Res last = null;
        for (int i = 0; i < 400 && (last == null || last.status() == 200); i++) {
            last = api.put("/api/v1/me/consents/" + app + "/CARE", Tokens.patient(patient),
                    "{\"state\": \"" + (i % 2 == 0 ? "GRANTED" : "REFUSED") + "\", \"noticeVersion\": 1}");
        }
        assertThat(last.status()).as(last.toString()).isEqualTo(429);
        assertThat(last.contentType()).startsWith("application/problem+json");
        assertThat(Integer.parseInt(last.header("Retry-After"))).isPositive();
        String other = newPatient();
        assertThat(api.put("/api/v1/me/consents/" + app + "/CARE", Tokens.patient(other),
                "{\"state\": \"GRANTED\", \"noticeVersion\": 1}").status()).as("others are not slowed").isEqualTo(200);
    }
}
