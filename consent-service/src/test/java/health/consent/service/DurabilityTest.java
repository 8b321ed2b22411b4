package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurabilityTest {

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void consents_and_their_history_survive_a_restart(String database) {
        Map<String, Object> db = "H2".equals(database) ? Databases.h2() : Databases.postgres();
        TestService service = TestService.start(db);
        String app = registerApplication(service.api(), "STATISTICS");
        String patient = newPatient();
        decide(service.api(), Tokens.patient(patient), app, "CARE", "GRANTED");
        decide(service.api(), Tokens.patient(patient), app, "STATISTICS", "GRANTED");

        TestService restarted = service.restart();
        try {
            assertThat(restarted.api().get("/api/v1/decisions/" + patient + "/STATISTICS", Tokens.application(app))
                    .str("decision")).isEqualTo("PERMIT");
            assertThat(restarted.api().get("/api/v1/me/consents/history", Tokens.patient(patient)).num("totalItems"))
                    .isEqualTo(2);
            assertThat(restarted.api().get("/api/v1/applications/" + app, Tokens.admin()).status()).isEqualTo(200);
        } finally {
            restarted.close();
        }
    }
}
