package health.consent.service.audit;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Transparency: the patient's access log, the regulator's audit trail, and the reports. */
class AccessLogAndAuditApiTest extends OnBothDatabases {

    private static final String REASON = URLEncoder.encode("Plainte n° 2026-114 du patient", StandardCharsets.UTF_8);

    private static void record(String app, String patient, String purpose, String actor, String category, Instant at) {
        Res res = api.post("/api/v1/access-records", Tokens.application(app), """
                [{"id": "%s", "patientId": "%s", "purpose": "%s", "actor": "%s", "dataCategory": "%s",
                  "outcome": "PERMIT", "at": "%s"}]""".formatted(UUID.randomUUID(), patient, purpose, actor, category, at));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
    }

    @Test
    void a_patient_reads_who_accessed_their_data_and_why_newest_first() {
        String app = registerApplication(api, "STATISTICS");
        String other = registerApplication(api);
        // Registered three days ago: a record cannot be older than its application.
        service.sql("UPDATE application SET registered_at = registered_at - INTERVAL '3' DAY WHERE id = '" + app + "'");
        String patient = newPatient();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        record(app, patient, "STATISTICS", "analyst-7", "lab-results", now.minus(2, ChronoUnit.DAYS));
        record(app, patient, "CARE", "dr-martin", "prescriptions", now.minus(1, ChronoUnit.HOURS));
        record(other, patient, "CARE", "nurse-3", "vitals", now.minus(1, ChronoUnit.MINUTES));
        record(app, newPatient(), "CARE", "dr-martin", "vitals", now);

        Res log = api.get("/api/v1/me/access-log", Tokens.patient(patient));
        assertThat(log.status()).isEqualTo(200);
        List<JsonNode> items = log.list("items");
        assertThat(items).extracting(i -> i.get("actor").getStringValue()).containsExactly("nurse-3", "dr-martin", "analyst-7");
        JsonNode oldest = items.get(2);
        assertThat(oldest.get("applicationName").getStringValue()).isEqualTo("Suivi " + app);
        assertThat(oldest.get("purposeText").get("fr").getStringValue()).isEqualTo("Statistiques et recherche");
        assertThat(oldest.get("purposeText").get("en").getStringValue()).isEqualTo("Statistics and research");
        assertThat(oldest.get("dataCategory").getStringValue()).isEqualTo("lab-results");
        assertThat(oldest.get("accessorType").getStringValue()).isEqualTo("APPLICATION");

        String token = Tokens.patient(patient);
        assertThat(api.get("/api/v1/me/access-log?applicationId=" + other, token).list("items")).hasSize(1);
        assertThat(api.get("/api/v1/me/access-log?purpose=STATISTICS", token).list("items")).hasSize(1);
        assertThat(api.get("/api/v1/me/access-log?from=" + now.minus(3, ChronoUnit.HOURS) + "&to=" + now, token)
                .list("items")).extracting(i -> i.get("actor").getStringValue()).containsExactly("nurse-3", "dr-martin");
        Res paged = api.get("/api/v1/me/access-log?size=2&page=1", token);
        assertThat(paged.num("totalItems")).isEqualTo(3);
        assertThat(paged.list("items")).hasSize(1);
        assertThat(api.get("/api/v1/me/access-log?from=yesterday", token).str("errors[0].field")).isEqualTo("from");
        assertThat(api.get("/api/v1/me/access-log?purpose=SPYING", token).str("errors[0].field")).isEqualTo("purpose");
    }

    @Test
    void only_the_patient_reads_their_access_log() {
        String app = registerApplication(api);
        String patient = newPatient();
        record(app, patient, "CARE", "dr-martin", "vitals", Instant.now());
        assertThat(api.get("/api/v1/me/access-log", Tokens.patient(newPatient())).list("items")).isEmpty();
        for (String token : List.of(Tokens.application(app), Tokens.regulator(), Tokens.admin())) {
            assertThat(api.get("/api/v1/me/access-log", token).status()).isEqualTo(403);
        }
    }

    @Test
    void a_regulator_queries_the_trail_by_application_purpose_and_period_in_json_and_csv() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        record(app, patient, "CARE", "dr-martin", "vitals", Instant.now());
        record(app, newPatient(), "CARE", "@SUM(1+1)", "vitals", Instant.now());

        Res records = api.get("/api/v1/audit/access-records?applicationId=" + app + "&reason=" + REASON, Tokens.regulator());
        assertThat(records.status()).isEqualTo(200);
        assertThat(records.list("items")).hasSize(2);
        Res events = api.get("/api/v1/audit/consent-events?applicationId=" + app + "&purpose=CARE&reason=" + REASON, Tokens.regulator());
        assertThat(events.list("items")).singleElement().satisfies(e -> {
            assertThat(e.get("patientId").getStringValue()).isEqualTo(patient);
            assertThat(e.get("decidedByType").getStringValue()).isEqualTo("PATIENT");
        });
        Res csv = api.get("/api/v1/audit/access-records?format=csv&applicationId=" + app + "&reason=" + REASON, Tokens.regulator());
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0]).isEqualTo("id,leafIndex,accessorType,applicationId,patientId,purpose,actor,dataCategory,outcome,reason,at,receivedAt,salt");
        assertThat(lines).hasSize(3);
        assertThat(csv.body()).contains("\"'@SUM(1+1)\"").contains("dr-martin");
        Res csvEvents = api.send("GET", "/api/v1/audit/consent-events?applicationId=" + app + "&reason=" + REASON, Tokens.regulator(), null,
                Map.of("Accept", "text/csv"));
        assertThat(csvEvents.body()).startsWith("seq,leafIndex,patientId");
        assertThat(api.get("/api/v1/audit/access-records?format=xml", Tokens.regulator()).str("errors[0].field"))
                .isEqualTo("format");
    }

    @Test
    void a_regulator_naming_a_patient_must_give_a_reason_and_the_patient_sees_the_read() {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        Res refused = api.get("/api/v1/audit/consent-events?patientId=" + patient, Tokens.regulator());
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.str("errors[0].field")).isEqualTo("reason");
        assertThat(api.get("/api/v1/me/access-log", Tokens.patient(patient)).list("items")).as("a refused read is not a read")
                .isEmpty();

        Res read = api.get("/api/v1/audit/consent-events?patientId=" + patient + "&reason=" + REASON, Tokens.regulator());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.list("items")).hasSize(1);
        List<JsonNode> log = api.get("/api/v1/me/access-log", Tokens.patient(patient)).list("items");
        assertThat(log).singleElement().satisfies(e -> {
            assertThat(e.get("accessorType").getStringValue()).isEqualTo("REGULATOR");
            assertThat(e.get("actor").getStringValue()).isEqualTo("regulator-1");
            assertThat(e.get("reason").getStringValue()).isEqualTo("Plainte n° 2026-114 du patient");
            assertThat(e.get("dataCategory").getStringValue()).isEqualTo("consent-events");
            assertThat(e.get("purposeText").get("en").getStringValue()).contains("health authority");
        });
    }

    @Test
    void only_regulators_read_the_audit_trail_and_reports() {
        for (String token : List.of(Tokens.patient("p-1"), Tokens.application("app-1"), Tokens.admin())) {
            for (String path : List.of("/api/v1/audit/access-records", "/api/v1/audit/consent-events",
                    "/api/v1/audit/checkpoints/latest", "/api/v1/audit/proofs/consistency?from=1&to=1",
                    "/api/v1/reports/consent-rates")) {
                assertThat(api.get(path, token).status()).as(path).isEqualTo(403);
            }
        }
        assertThat(api.get("/api/v1/audit/public-key", null).status()).isEqualTo(200);
    }

    @Test
    void consent_rates_count_each_decision_and_who_never_decided() {
        String app = registerApplication(api, "STATISTICS");
        String[] patients = {newPatient(), newPatient(), newPatient(), newPatient()};
        for (String p : patients) {
            decide(api, Tokens.patient(p), app, "CARE", "GRANTED");
        }
        decide(api, Tokens.patient(patients[0]), app, "STATISTICS", "GRANTED");
        decide(api, Tokens.patient(patients[1]), app, "STATISTICS", "REFUSED");
        decide(api, Tokens.patient(patients[2]), app, "STATISTICS", "GRANTED");
        decide(api, Tokens.patient(patients[2]), app, "STATISTICS", "WITHDRAWN");
        Res res = api.get("/api/v1/reports/consent-rates", Tokens.regulator());
        JsonNode stats = res.list("").stream().filter(r -> r.get("applicationId").getStringValue().equals(app)
                && r.get("purpose").getStringValue().equals("STATISTICS")).findFirst().orElseThrow();
        assertThat(stats.get("granted").getLongValue()).isEqualTo(1);
        assertThat(stats.get("refused").getLongValue()).isEqualTo(1);
        assertThat(stats.get("withdrawn").getLongValue()).isEqualTo(1);
        assertThat(stats.get("notSet").getLongValue()).isEqualTo(1);
        assertThat(stats.get("patients").getLongValue()).isEqualTo(4);
        assertThat(res.body()).doesNotContain(patients[0]);
    }
}
