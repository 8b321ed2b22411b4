package health.consent.service.reliability;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.recordAccess;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.service.Application;
import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.ReplicatedPostgres;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code JDBC_READ_URL} names a real streaming standby. Reads that tolerate its lag (the patient's
 * access log, the regulators' trail, reports) are served by it, which a standby held behind on
 * purpose (replay paused) shows; what a patient or an application must see right after writing
 * (decisions, the patient's consents) comes from the primary; and with the standby gone, the
 * replica's reads fall back to the primary.
 */
class ReadReplicaTest {

    private static final String TRAIL = "/api/v1/audit/access-records?reason=Replica%20test%20of%20the%20trail&patientId=";

    @Test
    void lag_tolerant_reads_go_to_the_replica_fresh_ones_to_the_primary_and_a_lost_replica_falls_back() throws Exception {
        try (ReplicatedPostgres pg = ReplicatedPostgres.start(false)) {
            Map<String, Object> settings = new HashMap<>(Application.storageSettings(Map.of(
                    "JDBC_URL", pg.primaryUrl(), "JDBC_READ_URL", pg.standbyUrl(), "JDBC_USER", "postgres")));
            try (TestService service = TestService.start(settings, Map.of(), "test")) {
                Api api = service.api();
                String app = registerApplication(api, "STATISTICS");
                String patient = "replica-" + UUID.randomUUID().toString().substring(0, 8);
                decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
                String first = recordAccess(api, app, patient);
                await().atMost(Duration.ofSeconds(10)).until(() -> accessLog(api, patient).contains(first));

                pg.pauseStandbyReplay();
                String second = recordAccess(api, app, patient);
                decide(api, Tokens.patient(patient), app, "STATISTICS", "GRANTED");
                assertThat(api.get("/api/v1/decisions/" + patient + "/STATISTICS", Tokens.application(app)).str("decision"))
                        .as("a decision reads the primary").isEqualTo("PERMIT");
                assertThat(api.get("/api/v1/me/consents", Tokens.patient(patient)).body())
                        .as("the patient's own consents read the primary").contains("\"STATISTICS\"").contains("GRANTED");
                assertThat(accessLog(api, patient)).as("the access log reads the lagging replica")
                        .contains(first).doesNotContain(second);
                Res trail = api.get(TRAIL + patient, Tokens.regulator());
                assertThat(trail.status()).isEqualTo(200);
                assertThat(trail.body()).as("the trail reads the lagging replica").contains(first).doesNotContain(second);
                try (Connection primary = DriverManager.getConnection(pg.primaryUrl());
                     Statement s = primary.createStatement();
                     ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM access_record WHERE patient_id = '" + patient
                             + "' AND reason = 'Replica test of the trail'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the regulator's read is written on the primary").isEqualTo(1);
                }

                pg.resumeStandbyReplay();
                await().atMost(Duration.ofSeconds(10)).until(() -> accessLog(api, patient).contains(second));

                pg.pauseStandbyReplay();
                String third = recordAccess(api, app, patient);
                pg.stopStandby();
                assertThat(accessLog(api, patient)).as("without its replica, the access log reads the primary")
                        .contains(third);
                for (int i = 0; i < 5; i++) {
                    assertThat(accessLog(api, patient)).contains(third);
                }
                assertThat(api.get("/prometheus", Tokens.METRICS).body())
                        .as("after one failure, the next reads go straight to the primary, without waiting for the replica")
                        .contains("consent_replica_failures_total 1.0");
                assertThat(api.get(TRAIL + patient, Tokens.regulator()).body()).contains(third);
                assertThat(api.get("/api/v1/reports/consent-rates", Tokens.regulator()).status()).isEqualTo(200);
                assertThat(api.get("/health", null).status()).as("an instance without its replica still serves")
                        .isEqualTo(200);
                assertThat(api.get("/health", Tokens.admin()).body()).as("the lost replica, in the details")
                        .contains("served by the primary");
            }
        }
    }

    private static String accessLog(Api api, String patient) {
        Res res = api.get("/api/v1/me/access-log?size=100", Tokens.patient(patient));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.body();
    }
}
