package health.consent.service.reliability;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import health.consent.service.support.Api;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Logs are read by operators, not patients: no token and no patient id in them at INFO and above. */
class LoggingTest {

    @Test
    void a_day_of_ordinary_work_logs_no_token_and_no_patient_id() {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(captured);
        String patient = "logcheck-" + UUID.randomUUID().toString().substring(0, 8);
        String token = Tokens.patient(patient);
        try (TestService service = TestService.start(Databases.h2())) {
            Api api = service.api();
            String app = registerApplication(api, "STATISTICS");
            decide(api, token, app, "CARE", "GRANTED");
            decide(api, token, app, "STATISTICS", "REFUSED");
            api.put("/api/v1/me/consents/" + app + "/STATISTICS", token, "{\"state\": \"WITHDRAWN\"}");
            api.put("/api/v1/me/consents/" + app + "/CARE", token, "{\"state\": \"bogus\"}");
            api.get("/api/v1/decisions/" + patient + "/CARE", Tokens.application(app));
            api.post("/api/v1/access-records", Tokens.application(app), "[{\"id\": \"" + UUID.randomUUID()
                    + "\", \"patientId\": \"" + patient + "\", \"purpose\": \"CARE\", \"actor\": \"dr-x\", "
                    + "\"dataCategory\": \"vitals\", \"outcome\": \"PERMIT\", \"at\": \"" + Instant.now() + "\"}]");
            api.get("/api/v1/audit/consent-events?patientId=" + patient + "&reason=Verification%20du%20journal",
                    Tokens.regulator());
            api.get("/api/v1/me/export", token);
            api.post("/api/v1/audit/checkpoints", Tokens.regulator(), null);
        } finally {
            root.detachAppender(captured);
        }
        assertThat(captured.list).isNotEmpty();
        assertThat(captured.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .allSatisfy(e -> assertThat(e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                        : e.getThrowableProxy().getMessage()))
                        .doesNotContain(patient).doesNotContain(token).doesNotContain(token.substring(0, 40)));
    }
}
