package health.consent.service.hardening;

import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * H2 closes itself when the JVM runs out of memory ("The database has been closed"): the attack
 * saw every request answer 500 for about 100 s after. A closed database is an outage like any
 * other: 503 problems while it lasts, and recovery as soon as it can be opened again.
 */
class ClosedDatabaseTest {

    @Test
    void a_database_closed_under_the_service_gives_503s_not_500s_and_the_service_recovers_at_once() {
        try (TestService service = TestService.start(Databases.h2())) {
            String app = registerApplication(service.api());
            String patient = newPatient();
            String decision = "/api/v1/decisions/" + patient + "/CARE";
            // Fill the pool with connections, which the shutdown then breaks.
            for (int i = 0; i < 20; i++) {
                service.api().get("/api/v1/me/consents", Tokens.patient(newPatient()));
            }
            service.sql("SHUTDOWN");
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                statuses.add(service.api().get("/api/v1/me/consents", Tokens.patient(patient)).status());
            }
            assertThat(statuses).as("never a 500").allMatch(s -> s == 200 || s == 503);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> service.api().get(decision, Tokens.application(app)).status() == 200);
            assertThat(service.api().get("/health", null).status()).isEqualTo(200);
        }
    }
}
