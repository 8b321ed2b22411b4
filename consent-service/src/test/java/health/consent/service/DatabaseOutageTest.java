package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.sdk.ClientStatus;
import health.consent.sdk.ConsentClient;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PostgreSQL goes away under the service and comes back: clear 503s meanwhile, recovery with no restart. */
class DatabaseOutageTest {

    @Test
    void while_the_database_is_down_requests_get_503_problems_and_all_recovers_when_it_returns() {
        Map<String, Object> database = Databases.postgres();
        String name = Databases.databaseName(database);
        try (TestService service = TestService.start(database)) {
            String app = registerApplication(service.api(), "STATISTICS");
            String patient = newPatient();
            decide(service.api(), Tokens.patient(patient), app, "CARE", "GRANTED");
            decide(service.api(), Tokens.patient(patient), app, "STATISTICS", "GRANTED");
            String decision = "/api/v1/decisions/" + patient + "/CARE";
            ConsentClient sdk = ConsentClient.builder().baseUrl(service.uri()).token(Tokens.application(app))
                    .staleAfter(Duration.ofSeconds(2)).build();
            await().atMost(Duration.ofSeconds(10)).until(() -> sdk.status() == ClientStatus.VALID);
            assertThat(sdk.check(patient, Purpose.STATISTICS).permitted()).isTrue();
            assertThat(sdk.check(patient, Purpose.CARE).permitted()).isTrue();

            Databases.admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
            Databases.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
            try {
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                        .until(() -> service.api().get(decision, Tokens.application(app)).status() == 503);
                Res down = service.api().get(decision, Tokens.application(app));
                assertThat(down.contentType()).startsWith("application/problem+json");
                assertThat(down.header("Retry-After")).isEqualTo("5");
                assertThat(down.body()).doesNotContain("Exception").doesNotContain("jdbc");
                Res change = service.api().put("/api/v1/me/consents/" + app + "/CARE", Tokens.patient(patient),
                        "{\"state\": \"WITHDRAWN\"}");
                assertThat(change.status()).isEqualTo(503);
                assertThat(service.api().get("/health", null).status()).isEqualTo(503);
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                        .until(() -> sdk.check(patient, Purpose.STATISTICS).reason() == Reason.SERVICE_UNAVAILABLE);
                assertThat(sdk.check(patient, Purpose.CARE).permitted()).as("care goes on").isTrue();
            } finally {
                Databases.admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
            }
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> service.api().get(decision, Tokens.application(app)).status() == 200);
            assertThat(service.api().get(decision, Tokens.application(app)).str("decision"))
                    .as("the refused withdrawal changed nothing").isEqualTo("PERMIT");
            await().atMost(Duration.ofSeconds(15)).until(() -> sdk.check(patient, Purpose.STATISTICS).permitted());
            decide(service.api(), Tokens.patient(patient), app, "CARE", "WITHDRAWN");
            assertThat(service.api().get("/health", null).status()).isEqualTo(200);
            sdk.close();
        }
    }
}
