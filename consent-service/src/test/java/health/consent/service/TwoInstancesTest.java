package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import health.consent.service.feed.FeedWakeUp;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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
    void an_instance_stopping_does_not_report_its_wake_up_failing() {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger wakeUp = (Logger) LoggerFactory.getLogger(FeedWakeUp.class);
        wakeUp.addAppender(captured);
        try {
            try (TestService service = TestService.start(Databases.postgres())) {
                // Listening: the wake-up's pass holds its own connection, waiting for notifications.
                await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                        .anyMatch(t -> t.getName().equals("consent-feed-wake-up")));
                assertThat(service.api().get("/health", null).status()).isEqualTo(200);
            }
            assertThat(captured.list).as("an orderly stop is no failure to report").isEmpty();
        } finally {
            wakeUp.detachAppender(captured);
        }
    }

    @Test
    void an_instance_with_nothing_to_number_is_not_held_up_by_another_numbering() throws Exception {
        Map<String, Object> database = Databases.postgres();
        try (TestService reading = TestService.start(database)) {
            String app = registerApplication(reading.api());
            String token = Tokens.application(app);
            long from = reading.api().get("/api/v1/changes", token).num("next");
            // Another instance in the middle of numbering: it holds the sequencer's row.
            try (java.sql.Connection other = reading.connection()) {
                other.setAutoCommit(false);
                try (java.sql.Statement s = other.createStatement()) {
                    s.executeQuery("SELECT last_seq FROM change_sequence WHERE id = 1 FOR UPDATE").close();
                }
                // This instance's passes go on (its waits end on time, at the pass after their end),
                // rather than queueing for that row with nothing of their own to number.
                Res quiet = reading.api().getAsync("/api/v1/changes?wait=1&after=" + from, token).get(10, TimeUnit.SECONDS);
                assertThat(quiet.status()).isEqualTo(200);
                assertThat(quiet.list("changes")).isEmpty();
                other.rollback();
            }
        }
    }

    @Test
    void changes_written_concurrently_through_two_instances_are_all_numbered_once() throws Exception {
        Map<String, Object> database = Databases.postgres();
        try (TestService a = TestService.start(database); TestService b = TestService.start(database)) {
            String app = registerApplication(a.api());
            long from = a.api().get("/api/v1/changes", Tokens.application(app)).num("next");
            int patients = 40;
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < patients; i++) {
                    TestService target = i % 2 == 0 ? a : b;
                    futures.add(pool.submit(() -> decide(target.api(), Tokens.patient(newPatient()), app, "CARE", "GRANTED")));
                }
                for (Future<?> f : futures) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdown();
            }
            Set<Long> seqs = new HashSet<>();
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

    @Test
    void both_instances_append_to_one_log_without_gaps_or_doubles() throws Exception {
        Map<String, Object> database = Databases.postgres();
        try (TestService a = TestService.start(database); TestService b = TestService.start(database)) {
            String app = registerApplication(a.api());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    TestService target = i % 2 == 0 ? a : b;
                    futures.add(pool.submit(() -> {
                        String patient = newPatient();
                        decide(target.api(), Tokens.patient(patient), app, "CARE", "GRANTED");
                        List<String> records = new ArrayList<>();
                        for (int r = 0; r < 25; r++) {
                            records.add("{\"id\": \"" + UUID.randomUUID() + "\", \"patientId\": \"" + patient
                                    + "\", \"purpose\": \"CARE\", \"actor\": \"dr-martin\", \"dataCategory\": \"vitals\", "
                                    + "\"outcome\": \"PERMIT\", \"at\": \"" + Instant.now() + "\"}");
                        }
                        assertThat(target.api().post("/api/v1/access-records", Tokens.application(app),
                                "[" + String.join(",", records) + "]").num("stored")).isEqualTo(25);
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdown();
            }
            long size = a.api().post("/api/v1/audit/checkpoints", Tokens.regulator(), null).num("treeSize");
            assertThat(size).isEqualTo(40 + 40 * 25);
            assertThat(b.count("SELECT COUNT(DISTINCT leaf_index) FROM (" + Databases.ACCESS_LEAVES + ") l")).isEqualTo(40 * 25);
            assertThat(b.count("SELECT COUNT(DISTINCT leaf_index) FROM consent_event")).isEqualTo(40);
            assertThat(b.count("SELECT SUM(OCTET_LENGTH(hashes)) FROM merkle_tile WHERE lvl = 0")).isEqualTo(32 * size);
            assertThat(b.count("SELECT COUNT(*) FROM merkle_tile WHERE lvl = 0")).isEqualTo((size + 255) / 256);
        }
    }

    @Test
    void a_decision_cached_by_one_instance_follows_a_change_made_through_the_other() {
        Map<String, Object> database = Databases.postgres();
        try (TestService a = TestService.start(database); TestService b = TestService.start(database)) {
            String app = registerApplication(a.api(), "STATISTICS");
            String patient = newPatient();
            decide(a.api(), Tokens.patient(patient), app, "CARE", "GRANTED");
            decide(a.api(), Tokens.patient(patient), app, "STATISTICS", "GRANTED");
            String path = "/api/v1/decisions/" + patient + "/STATISTICS";
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> "PERMIT".equals(b.api().get(path, Tokens.application(app)).str("decision")));
            assertThat(b.api().get(path, Tokens.application(app)).str("decision")).isEqualTo("PERMIT");

            decide(a.api(), Tokens.patient(patient), app, "STATISTICS", "WITHDRAWN");
            assertThat(a.api().get(path, Tokens.application(app)).str("reason")).as("the writing instance at once")
                    .isEqualTo("WITHDRAWN");
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> "WITHDRAWN".equals(b.api().get(path, Tokens.application(app)).str("reason")));
        }
    }
}
