package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The service is stateless: instances sharing one PostgreSQL see each other's changes. */
class TwoInstancesTest {

    @Test
    void a_change_written_through_one_instance_wakes_a_feed_held_by_another() throws Exception {
        Map<String, Object> database = Databases.postgres();
        try (TestService a = TestService.start(database); TestService b = TestService.start(database)) {
            String app = registerApplication(a.api());
            long from = b.api().get("/api/v1/changes", Tokens.application(app)).num("next");
            CompletableFuture<Res> held = b.api().getAsync("/api/v1/changes?wait=25&after=" + from, Tokens.application(app));
            String patient = newPatient();
            decide(a.api(), Tokens.patient(patient), app, "CARE", "GRANTED");

            Res res = held.get(20, TimeUnit.SECONDS);
            assertThat(res.list("changes")).extracting(c -> c.get("patientId").getStringValue()).containsExactly(patient);
            assertThat(b.api().get("/api/v1/decisions/" + patient + "/CARE", Tokens.application(app)).str("decision"))
                    .isEqualTo("PERMIT");
        }
    }

    @Test
    void changes_written_concurrently_through_two_instances_are_all_numbered_once() throws Exception {
        Map<String, Object> database = Databases.postgres();
        try (TestService a = TestService.start(database); TestService b = TestService.start(database)) {
            String app = registerApplication(a.api());
            long from = a.api().get("/api/v1/changes", Tokens.application(app)).num("next");
            int patients = 40;
            var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
                for (int i = 0; i < patients; i++) {
                    TestService target = i % 2 == 0 ? a : b;
                    futures.add(pool.submit(() -> decide(target.api(), Tokens.patient(newPatient()), app, "CARE", "GRANTED")));
                }
                for (var f : futures) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdown();
            }
            java.util.Set<Long> seqs = new java.util.HashSet<>();
            long next = from;
            while (seqs.size() < patients) {
                Res res = b.api().get("/api/v1/changes?wait=10&after=" + next, Tokens.application(app));
                assertThat(res.list("changes")).as("the feed ended before every change came").isNotEmpty();
                res.list("changes").forEach(c -> assertThat(seqs.add(c.get("seq").getLongValue())).isTrue());
                next = res.num("next");
            }
            assertThat(seqs).hasSize(patients);
        }
    }
}
