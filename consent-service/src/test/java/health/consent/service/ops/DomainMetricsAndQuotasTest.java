package health.consent.service.ops;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.Fixtures;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What operators watch on /prometheus, and the per-application quotas that keep one application from crowding out the others. */
class DomainMetricsAndQuotasTest {

    private static String batch(String patient, String id) {
        return "[" + Fixtures.accessRecord(id, patient, Instant.now()) + "]";
    }

    @Test
    void decisions_changes_ingestion_and_the_audit_log_are_on_prometheus() {
        try (TestService service = TestService.start(Databases.h2(), Map.of("consent.audit.checkpoint-interval", "1s"),
                "test")) {
            Api api = service.api();
            String app = registerApplication(api, "STATISTICS");
            String patient = newPatient();
            decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
            api.get("/api/v1/decisions/" + patient + "/STATISTICS", Tokens.application(app));
            String id = UUID.randomUUID().toString();
            api.post("/api/v1/access-records", Tokens.application(app), batch(patient, id));
            api.post("/api/v1/access-records", Tokens.application(app), batch(patient, id));
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                String metrics = api.get("/prometheus", Tokens.METRICS).body();
                assertThat(metrics).containsPattern("consent_decisions_total\\{reason=\"NOT_SET\"} [1-9]")
                        .containsPattern("consent_changes_total\\{channel=\"API\",state=\"GRANTED\"} [1-9]")
                        .containsPattern("consent_records_ingested_total [1-9]")
                        .containsPattern("consent_records_deduplicated_total [1-9]")
                        .containsPattern("consent_audit_backlog [0-9]")
                        .containsPattern("consent_audit_checkpoint_age_seconds [0-9]")
                        .contains("consent_feed_waiting");
            });
        }
    }

    @Test
    void an_application_beyond_its_quota_gets_429_and_another_application_does_not() {
        try (TestService service = TestService.start(Databases.h2(), Map.of(
                "consent.limits.application.decisions-per-second", "5",
                "consent.limits.application.record-batches-per-second", "1"), "test")) {
            Api api = service.api();
            String flooding = registerApplication(api);
            String quiet = registerApplication(api);
            Res refused = null;
            for (int i = 0; i < 30 && refused == null; i++) {
                Res res = api.get("/api/v1/decisions/" + newPatient() + "/CARE", Tokens.application(flooding));
                if (res.status() == 429) {
                    refused = res;
                }
            }
            assertThat(refused).as("the flooding application is stopped").isNotNull();
            assertThat(refused.header("Retry-After")).isNotBlank();
            assertThat(refused.body()).contains("application-quota");
            // Refused before its body is read (a bad body is a 400 only while the quota lasts), and only
            // after a pause: a client asking again at once is slowed.
            Duration took = null;
            for (int i = 0; i < 30 && took == null; i++) {
                long start = System.nanoTime();
                Res res = api.post("/api/v1/decisions/filter", Tokens.application(flooding), "not even JSON");
                assertThat(res.status()).isIn(400, 429);
                if (res.status() == 429) {
                    took = Duration.ofNanos(System.nanoTime() - start);
                }
            }
            assertThat(took).as("a bad body beyond the quota is refused for the quota").isNotNull()
                    .isGreaterThanOrEqualTo(Duration.ofMillis(500));
            assertThat(api.get("/api/v1/decisions/" + newPatient() + "/CARE", Tokens.application(quiet)).status())
                    .as("the other application is not").isEqualTo(200);

            Batches batches = batchesUntilRefused(api, flooding, 10);
            assertThat(batches.accepted()).isBetween(1, 3);
            assertThat(batches.refused()).isNotNull();
            assertThat(batches.refused().header("Retry-After")).isNotBlank();
            assertThat(api.post("/api/v1/access-records/", Tokens.application(flooding),
                    batch(newPatient(), UUID.randomUUID().toString())).status())
                    .as("a trailing slash is the same route, under the same quota").isEqualTo(429);

            // A cohort counts one decision call per 10,000 ids: 100,001 ids are more than a burst of ten.
            String cohorts = registerApplication(api);
            String ids = java.util.stream.IntStream.range(0, 100_001).mapToObj(i -> "c" + i)
                    .collect(java.util.stream.Collectors.joining("\n"));
            Res big = api.send("POST", "/api/v1/decisions/cohort?purpose=CARE", Tokens.application(cohorts), ids,
                    Map.of("Content-Type", "text/plain"));
            assertThat(big.status()).isEqualTo(429);
            assertThat(big.body()).contains("application-quota");
            Res small = api.send("POST", "/api/v1/decisions/cohort?purpose=CARE", Tokens.application(quiet), "c1",
                    Map.of("Content-Type", "text/plain"));
            assertThat(small.status()).isEqualTo(200);
        }
    }

    /** Access-record batches accepted before the first 429 (at most {@code limit} sent), and that 429 (or null). */
    private record Batches(int accepted, Res refused) {
    }

    private static Batches batchesUntilRefused(Api api, String application, int limit) {
        for (int i = 0; i < limit; i++) {
            Res res = api.post("/api/v1/access-records", Tokens.application(application),
                    batch(newPatient(), UUID.randomUUID().toString()));
            if (res.status() == 429) {
                return new Batches(i, res);
            }
        }
        return new Batches(limit, null);
    }

    /** Decision calls until the first 429 (or {@code limit} calls): how many were answered before it. */
    private static int answeredBeforeRefusal(Api api, String application, int limit) {
        for (int i = 0; i < limit; i++) {
            Res res = api.get("/api/v1/decisions/" + newPatient() + "/CARE", Tokens.application(application));
            if (res.status() == 429) {
                assertThat(res.body()).contains("application-quota");
                return i;
            }
            assertThat(res.status()).as(res.toString()).isEqualTo(200);
        }
        return limit;
    }

    @Test
    void an_application_given_a_quota_of_its_own_is_held_to_it_and_the_others_keep_the_common_one() {
        String small = Fixtures.newApplicationId();
        String large = Fixtures.newApplicationId();
        try (TestService service = TestService.start(Databases.h2(), Map.of(
                "consent.limits.application.decisions-per-second", "3",
                "consent.limits.application.decisions-overrides", " " + small + "=1, " + large + "=0",
                "consent.limits.application.record-batches-overrides", small + "=0.5"), "test")) {
            Api api = service.api();
            Fixtures.registerApplicationAs(api, small);
            Fixtures.registerApplicationAs(api, large);
            String other = registerApplication(api);
            // Bursts of two seconds' worth: 2 for the small application, 6 for the common quota.
            assertThat(answeredBeforeRefusal(api, small, 30)).as("the application held to 1/s").isBetween(1, 4);
            assertThat(answeredBeforeRefusal(api, other, 30)).as("another under the common 3/s").isBetween(5, 29);
            assertThat(answeredBeforeRefusal(api, large, 40)).as("the application without a quota").isEqualTo(40);

            Batches batches = batchesUntilRefused(api, small, 10);
            assertThat(batches.accepted()).as("a burst of one batch").isEqualTo(1);
            assertThat(batches.refused()).isNotNull();
            assertThat(api.post("/api/v1/access-records", Tokens.application(other),
                    batch(newPatient(), UUID.randomUUID().toString())).status())
                    .as("no common quota of batches").isEqualTo(200);
        }
    }

    @Test
    void a_malformed_quota_override_refuses_to_start_and_names_the_setting() {
        for (String setting : new String[] {"app-one=fast", "app-one", "x=1", "app-one=-2", "app-one=1,app-one=2",
                "app-one=1,", "app-one=Infinity"}) {
            assertThatThrownBy(() -> TestService.start(Databases.h2(),
                    Map.of("consent.limits.application.decisions-overrides", setting), "test"))
                    .as(setting).hasStackTraceContaining("consent.limits.application.decisions-overrides");
        }
    }

    @Test
    void a_negative_quota_refuses_to_start_and_names_the_setting() {
        assertThatThrownBy(() -> TestService.start(Databases.h2(),
                Map.of("consent.limits.application.decisions-per-second", "-1"), "test"))
                .hasStackTraceContaining("consent.limits.application.decisions-per-second");
        // So does a rate that is no number of calls a second.
        assertThatThrownBy(() -> TestService.start(Databases.h2(),
                Map.of("consent.limits.application.record-batches-per-second", "Infinity"), "test"))
                .hasStackTraceContaining("consent.limits.application.record-batches-per-second");
    }
}
