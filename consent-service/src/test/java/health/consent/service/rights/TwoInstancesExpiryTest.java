package health.consent.service.rights;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.service.support.Databases;
import health.consent.service.support.Fixtures;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two instances on one PostgreSQL both run the expiry pass: each expiry is recorded once. */
class TwoInstancesExpiryTest {

    @Test
    void two_instances_expiring_the_same_grants_record_one_event_each() {
        Map<String, Object> database = Databases.postgres();
        Map<String, Object> fast = Map.of("consent.expiry.interval", "20ms");
        try (TestService a = TestService.start(database, fast, "test");
             TestService b = TestService.start(database, fast, "test")) {
            String app = Fixtures.registerApplication(a.api(), "STATISTICS", "SERVICE_IMPROVEMENT");
            // Far enough ahead for the sixty requests below on a loaded machine (each grant must end ahead of now).
            Instant end = Instant.now().plusSeconds(8);
            String[] patients = new String[20];
            for (int i = 0; i < patients.length; i++) {
                patients[i] = newPatient();
                decide(a.api(), Tokens.patient(patients[i]), app, "CARE", "GRANTED");
                for (String purpose : new String[] {"STATISTICS", "SERVICE_IMPROVEMENT"}) {
                    assertThat(b.api().put("/api/v1/me/consents/" + app + "/" + purpose, Tokens.patient(patients[i]),
                            "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"expiresAt\": \"" + end + "\"}").status())
                            .isEqualTo(200);
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> a.count(
                    "SELECT COUNT(*) FROM consent WHERE application_id = '" + app + "' AND state = 'EXPIRED'") == 40);
            assertThat(a.count("SELECT COUNT(*) FROM consent_event WHERE application_id = '" + app
                    + "' AND channel = 'EXPIRY'")).isEqualTo(40);
            assertThat(a.count("SELECT COUNT(*) FROM purge_obligation WHERE application_id = '" + app + "'"))
                    .isEqualTo(40);
        }
    }
}
