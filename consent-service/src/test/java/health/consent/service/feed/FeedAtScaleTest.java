package health.consent.service.feed;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Many waiting requests, one read per pass: every request gets every change of its application
 * and none of another's, even when the wake-up is lost; an application's waits are bounded.
 * Timings are the benchmark's (bench/run fanout), not these tests'.
 */
class FeedAtScaleTest {

    private static Map<String, Object> database(String name) {
        return "H2".equals(name) ? Databases.h2() : Databases.postgres();
    }

    private static List<CompletableFuture<Res>> hold(Api api, String app, long from, int count) {
        List<CompletableFuture<Res>> held = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            held.add(api.getAsync("/api/v1/changes?wait=25&after=" + from, Tokens.application(app)));
        }
        return held;
    }

    private static long waiting(TestService service) {
        return (long) service.metric("consent_feed_waiting");
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void every_waiting_request_gets_every_change_of_its_application_and_none_of_another(String db) throws Exception {
        try (TestService service = TestService.start(database(db))) {
            Api api = service.api();
            String first = registerApplication(api);
            String second = registerApplication(api);
            long from = api.get("/api/v1/changes", Tokens.application(first)).num("next");
            List<CompletableFuture<Res>> firsts = hold(api, first, from, 150);
            List<CompletableFuture<Res>> seconds = hold(api, second, from, 150);
            org.awaitility.Awaitility.await().until(() -> waiting(service) == 300);
            String patient = newPatient();
            decide(api, Tokens.patient(patient), first, "CARE", "GRANTED");
            for (CompletableFuture<Res> f : firsts) {
                assertThat(f.get(20, TimeUnit.SECONDS).list("changes"))
                        .extracting(c -> c.get("patientId").getStringValue()).containsExactly(patient);
            }
            assertThat(seconds).allSatisfy(f -> assertThat(f).isNotDone());
            String other = newPatient();
            decide(api, Tokens.patient(other), second, "CARE", "GRANTED");
            for (CompletableFuture<Res> f : seconds) {
                assertThat(f.get(20, TimeUnit.SECONDS).list("changes"))
                        .extracting(c -> c.get("patientId").getStringValue()).containsExactly(other);
            }
            assertThat(api.get("/api/v1/ping", Tokens.application(first)).status())
                    .as("the event loop answers while requests wait").isEqualTo(200);
            String metrics = api.get("/prometheus", Tokens.METRICS).body();
            assertThat(metrics).contains("consent_feed_waiting").contains("consent_feed_head")
                    .contains("consent_feed_delivery_lag_seconds");
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void a_change_whose_wake_up_is_lost_is_delivered_by_the_tick(String db) throws Exception {
        try (TestService service = TestService.start(database(db))) {
            Api api = service.api();
            String app = registerApplication(api);
            long from = api.get("/api/v1/changes", Tokens.application(app)).num("next");
            List<CompletableFuture<Res>> held = hold(api, app, from, 20);
            org.awaitility.Awaitility.await().until(() -> waiting(service) == 20);
            // Written behind the service's back: no commit event, no notification; only the tick sees it.
            service.sql("INSERT INTO consent_change (application_id, patient_id, purpose, decision, reason, version, at) "
                    + "VALUES ('" + app + "', 'p-lost', 'CARE', 'PERMIT', 'GRANTED', 1, CURRENT_TIMESTAMP)");
            for (CompletableFuture<Res> f : held) {
                assertThat(f.get(20, TimeUnit.SECONDS).list("changes"))
                        .extracting(c -> c.get("patientId").getStringValue()).containsExactly("p-lost");
            }
        }
    }

    @Test
    void an_application_beyond_its_allowed_waits_gets_429_with_retry_after_and_others_are_not_refused() throws Exception {
        try (TestService service = TestService.start(Databases.h2(),
                Map.of("consent.feed.max-waits-per-application", 3))) {
            Api api = service.api();
            String app = registerApplication(api);
            String other = registerApplication(api);
            long from = api.get("/api/v1/changes", Tokens.application(app)).num("next");
            List<CompletableFuture<Res>> held = hold(api, app, from, 3);
            org.awaitility.Awaitility.await().until(() -> waiting(service) == 3);
            Res refused = api.get("/api/v1/changes?wait=25&after=" + from, Tokens.application(app));
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.header("Retry-After")).isEqualTo("1");
            assertThat(api.get("/api/v1/changes?wait=0&after=" + from, Tokens.application(app)).status())
                    .as("a request that does not wait is not refused").isEqualTo(200);
            CompletableFuture<Res> others = api.getAsync("/api/v1/changes?wait=25&after=" + from, Tokens.application(other));
            decide(api, Tokens.patient(newPatient()), other, "CARE", "GRANTED");
            assertThat(others.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
            decide(api, Tokens.patient(newPatient()), app, "CARE", "GRANTED");
            for (CompletableFuture<Res> f : held) {
                assertThat(f.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
        }
    }

    @Test
    void a_suspension_through_one_instance_keeps_patients_changes_from_the_requests_waiting_on_another() throws Exception {
        Map<String, Object> database = Databases.postgres();
        try (TestService a = TestService.start(database); TestService b = TestService.start(database)) {
            String app = registerApplication(a.api());
            String patient = newPatient();
            decide(a.api(), Tokens.patient(patient), app, "CARE", "GRANTED");
            org.awaitility.Awaitility.await().until(() -> feedHead(b) >= lastPosition(a, app));
            long from = lastPosition(a, app);
            CompletableFuture<Res> held = b.api().getAsync("/api/v1/changes?wait=25&after=" + from, Tokens.application(app));
            org.awaitility.Awaitility.await().until(() -> waiting(b) == 1);
            assertThat(a.api().put("/api/v1/applications/" + app + "/status", Tokens.admin(),
                    "{\"status\": \"SUSPENDED\"}").status()).isEqualTo(200);
            decide(a.api(), Tokens.patient(patient), app, "CARE", "WITHDRAWN");
            // Both handed out on b, in one pass or two: the waiting request gets the suspension only,
            // and so does a request asking afterwards from the same position (answered from memory).
            org.awaitility.Awaitility.await().until(() -> a.count("SELECT COUNT(*) FROM consent_change WHERE "
                    + "application_id = '" + app + "' AND seq IS NULL") == 0 && feedHead(b) >= lastPosition(a, app));
            assertThat(held.get(20, TimeUnit.SECONDS).list("changes"))
                    .extracting(c -> c.get("reason").getStringValue()).containsExactly("APPLICATION_SUSPENDED");
            Res after = b.api().get("/api/v1/changes?wait=0&after=" + from, Tokens.application(app));
            assertThat(after.list("changes")).extracting(c -> c.get("reason").getStringValue())
                    .containsExactly("APPLICATION_SUSPENDED");
            assertThat(after.list("changes")).allSatisfy(c -> assertThat(c.get("patientId").isNull()).isTrue());
        }
    }

    /** The position of the application's latest numbered change. */
    private static long lastPosition(TestService service, String app) {
        return service.count("SELECT COALESCE(MAX(seq), 0) FROM consent_change WHERE application_id = '" + app + "'");
    }

    private static long feedHead(TestService service) {
        return (long) service.metric("consent_feed_head");
    }

    @Test
    void a_change_through_one_instance_wakes_another_at_once_not_at_its_tick() throws Exception {
        Map<String, Object> database = Databases.postgres();
        // The second instance's tick is a minute: only the notification can wake it in time.
        try (TestService a = TestService.start(database);
             TestService b = TestService.start(database, Map.of("consent.feed.tick", "60s"))) {
            String app = registerApplication(a.api());
            long from = b.api().get("/api/v1/changes", Tokens.application(app)).num("next");
            CompletableFuture<Res> held = b.api().getAsync("/api/v1/changes?wait=25&after=" + from, Tokens.application(app));
            org.awaitility.Awaitility.await().until(() -> waiting(b) == 1);
            String patient = newPatient();
            decide(a.api(), Tokens.patient(patient), app, "CARE", "GRANTED");
            assertThat(held.get(10, TimeUnit.SECONDS).list("changes"))
                    .extracting(c -> c.get("patientId").getStringValue()).containsExactly(patient);
        }
    }
}
