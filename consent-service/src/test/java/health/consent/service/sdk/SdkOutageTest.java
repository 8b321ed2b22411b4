package health.consent.service.sdk;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.sdk.AccessContext;
import health.consent.sdk.AccessNotRecordedException;
import health.consent.sdk.ClientStatus;
import health.consent.sdk.ConsentClient;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SDK when the service goes away and comes back: fail closed for secondary purposes, never block care. */
class SdkOutageTest {

    private static final AccessContext CONTEXT = AccessContext.of("nurse-3", "vitals");

    private static Map<String, Object> database(String name) {
        return "H2".equals(name) ? Databases.h2() : Databases.postgres();
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void secondary_purposes_fail_closed_after_the_bound_care_keeps_its_state_and_all_recovers(String db) {
        TestService first = TestService.start(database(db));
        String app = registerApplication(first.api(), "STATISTICS");
        String patient = newPatient();
        decide(first.api(), Tokens.patient(patient), app, "CARE", "GRANTED");
        decide(first.api(), Tokens.patient(patient), app, "STATISTICS", "GRANTED");

        List<ClientStatus> statuses = new CopyOnWriteArrayList<>();
        TestService second = null;
        try (ConsentClient client = ConsentClient.builder().baseUrl(first.uri()).token(() -> Tokens.application(app))
                .staleAfter(Duration.ofSeconds(2)).build()) {
            client.addStatusListener(statuses::add);
            await().atMost(Duration.ofSeconds(10)).until(() -> client.status() == ClientStatus.VALID);
            assertThat(client.check(patient, Purpose.STATISTICS).permitted()).isTrue();
            assertThat(client.check(patient, Purpose.CARE).permitted()).isTrue();

            first.close();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> client.check(patient, Purpose.STATISTICS).reason() == Reason.SERVICE_UNAVAILABLE);
            assertThat(client.status()).isEqualTo(ClientStatus.INTERRUPTED);
            assertThat(client.check(patient, Purpose.CARE)).as("care is never blocked by an outage")
                    .isEqualTo(Decision.permit());
            assertThat(client.check(newPatient(), Purpose.CARE).reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);
            assertThat(client.filterPermitted(Purpose.STATISTICS, List.of(patient))).isEmpty();
            assertThat(client.filterPermitted(Purpose.CARE, List.of(patient))).containsExactly(patient);

            second = first.startAgain();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                    .until(() -> client.status() == ClientStatus.VALID && client.check(patient, Purpose.STATISTICS).permitted());
            assertThat(statuses).containsSubsequence(ClientStatus.VALID, ClientStatus.INTERRUPTED, ClientStatus.VALID);

            // Changes made while the client was away are not missed.
            decide(second.api(), Tokens.patient(patient), app, "CARE", "WITHDRAWN");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> client.check(patient, Purpose.STATISTICS).reason() == Reason.CARE_NOT_GRANTED);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void access_records_made_during_an_outage_all_arrive_exactly_once(String db) {
        TestService first = TestService.start(database(db));
        String app = registerApplication(first.api());
        TestService second = null;
        try (ConsentClient client = ConsentClient.builder().baseUrl(first.uri()).token(() -> Tokens.application(app))
                .accessRecordBatchSize(10).accessRecordFlushInterval(Duration.ofMillis(100)).build()) {
            for (int i = 0; i < 25; i++) {
                client.recordAccess("before-" + i, Purpose.CARE, CONTEXT, Outcome.PERMIT);
            }
            first.close();
            for (int i = 0; i < 75; i++) {
                client.recordAccess("during-" + i, Purpose.CARE, CONTEXT, Outcome.PERMIT);
            }
            second = first.startAgain();
            TestService running = second;
            String count = "SELECT COUNT(*) FROM access_record WHERE application_id = '" + app + "'";
            await().atMost(Duration.ofSeconds(20)).until(() -> running.count(count) == 100);
            client.close();
            assertThat(running.count(count)).isEqualTo(100);
            assertThat(running.count("SELECT COUNT(DISTINCT patient_id) FROM access_record WHERE application_id = '"
                    + app + "'")).isEqualTo(100);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2"})
    void when_records_cannot_be_queued_the_access_is_refused_and_the_work_does_not_run(String db) {
        TestService first = TestService.start(database(db));
        String app = registerApplication(first.api());
        String patient = newPatient();
        decide(first.api(), Tokens.patient(patient), app, "CARE", "GRANTED");
        int[] runs = {0};
        TestService second = null;
        try (ConsentClient client = ConsentClient.builder().baseUrl(first.uri()).token(() -> Tokens.application(app))
                .accessRecordBatchSize(5).accessRecordQueueCapacity(5).build()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.status() == ClientStatus.VALID);
            assertThat(client.check(patient, Purpose.CARE).permitted()).isTrue();
            first.close();

            AccessNotRecordedException refused = null;
            for (int i = 0; i < 100 && refused == null; i++) {
                try {
                    client.withConsent(patient, Purpose.CARE, CONTEXT, () -> ++runs[0]);
                } catch (AccessNotRecordedException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("a full queue refuses the access").isNotNull();
            assertThat(runs[0]).as("work ran only for the accesses that were queued").isBetween(5, 10);

            second = first.startAgain();
            TestService running = second;
            String count = "SELECT COUNT(*) FROM access_record WHERE application_id = '" + app + "'";
            await().atMost(Duration.ofSeconds(20)).until(() -> running.count(count) == runs[0]);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }
}
