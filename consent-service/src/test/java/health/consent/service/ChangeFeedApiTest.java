package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.decision;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import health.consent.model.ApplicationId;
import health.consent.model.Decision;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.service.db.Db;
import health.consent.service.db.Transactions;
import health.consent.service.feed.ChangeFeedRepository;
import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChangeFeedApiTest extends OnBothDatabases {

    /** The service's own, for the tests that write the feed's rows directly. */
    private Transactions transactions;
    private ChangeFeedRepository feed;
    private Db db;

    @BeforeEach
    void beans() {
        transactions = service.context().getBean(Transactions.class);
        feed = service.context().getBean(ChangeFeedRepository.class);
        db = service.context().getBean(Db.class);
    }

    private static long position(String app) {
        Res res = api.get("/api/v1/changes", Tokens.application(app));
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.list("changes")).isEmpty();
        return res.num("next");
    }

    /** Reads the feed from {@code after} until it has at least {@code count} changes. */
    private static List<JsonNode> changesAfter(String app, long after, int count) {
        List<JsonNode> all = new java.util.ArrayList<>();
        long next = after;
        while (all.size() < count) {
            Res res = api.get("/api/v1/changes?wait=10&after=" + next, Tokens.application(app));
            assertThat(res.status()).as(res.toString()).isEqualTo(200);
            all.addAll(res.list("changes"));
            assertThat(res.num("next")).isGreaterThanOrEqualTo(next);
            if (res.list("changes").isEmpty()) {
                break;
            }
            next = res.num("next");
        }
        return all;
    }

    @Test
    void patients_and_catalogue_changes_are_numbered_by_their_writer_in_the_order_it_wrote_them() {
        String app = registerApplication(api);
        String patient = newPatient();
        long before = feed.head();
        long[] atTheEnd = new long[3];
        long written = transactions.write(() -> {
            feed.patientChanges(List.of(new ChangeFeedRepository.PatientChange(ApplicationId.of(app),
                    PatientId.of(patient), Purpose.CARE, Decision.permit(), 1, Instant.now(), null)));
            feed.applicationChange(ApplicationId.of(app), Purpose.CARE, null, Instant.now());
            // Read after the feed's statements, still inside the transaction, where no pass can have numbered the rows.
            db.atCommit(() -> {
                atTheEnd[0] = storedNumber(db, "patient_id = '" + patient + "'");
                atTheEnd[1] = storedNumber(db, "application_id = '" + app + "' AND patient_id IS NULL");
                atTheEnd[2] = feed.head();
            });
            // The feed's rows are written at the end of the transaction: not yet here.
            return db.count("SELECT COUNT(*) FROM consent_change WHERE application_id = ?", app);
        });
        assertThat(written).as("rows written before the end of their transaction").isZero();
        long patients = atTheEnd[0];
        long catalogue = atTheEnd[1];
        assertThat(patients).as("the patient's row, numbered after the head before it").isGreaterThan(before);
        assertThat(catalogue).as("the catalogue's row, written after it").isEqualTo(patients + 1);
        assertThat(atTheEnd[2]).as("the counter, in the same transaction").isEqualTo(catalogue);
        assertThat(storedNumber(db, "patient_id = '" + patient + "'")).as("after the commit").isEqualTo(patients);

        List<JsonNode> changes = changesAfter(app, patients - 1, 2);
        assertThat(changes).extracting(c -> c.get("seq").getLongValue()).containsExactly(patients, catalogue);
        assertThat(changes.get(0).get("patientId").getStringValue()).isEqualTo(patient);
    }

    @Test
    void a_change_written_without_the_feeds_counter_is_never_dropped_without_a_word() {
        String app = registerApplication(api);
        String patient = newPatient();
        long[] unnumbered = {-1};
        // The counter's row removed, in a transaction given up at its end (the counter comes back).
        assertThatThrownBy(() -> transactions.write(() -> {
            db.update("DELETE FROM change_sequence WHERE id = 1");
            feed.patientChanges(List.of(new ChangeFeedRepository.PatientChange(ApplicationId.of(app),
                    PatientId.of(patient), Purpose.CARE, Decision.permit(), 1, Instant.now(), null)));
            db.atCommit(() -> {
                unnumbered[0] = db.count("SELECT COUNT(*) FROM consent_change WHERE patient_id = ? AND seq IS NULL",
                        patient);
                throw new IllegalStateException("given up");
            });
            return null;
        })).satisfies(e -> {
            if ("PostgreSQL".equals(database)) {
                // One statement, whose answer goes unread: the row is kept, unnumbered, for the pass to fail on.
                assertThat(e).hasMessage("given up");
                assertThat(unnumbered[0]).isEqualTo(1);
            } else {
                // The counter is read first: the write fails there.
                assertThat(e).isInstanceOf(java.util.NoSuchElementException.class);
            }
        });
        assertThat(feed.head()).as("the counter, back with the rollback").isPositive();
    }

    @Test
    void a_feed_number_cannot_be_stored_twice() {
        String app = registerApplication(api);
        decide(api, Tokens.patient(newPatient()), app, "CARE", "GRANTED");
        String copyOfTheLast = "INSERT INTO consent_change (application_id, patient_id, purpose, decision, reason, "
                + "version, at, purge_id, seq) SELECT application_id, patient_id, purpose, decision, reason, version, "
                + "at, purge_id, seq FROM consent_change WHERE seq = (SELECT MAX(seq) FROM consent_change)";
        assertThatThrownBy(() -> service.sql(copyOfTheLast)).hasRootCauseInstanceOf(java.sql.SQLException.class);
        assertThat(service.count("SELECT COUNT(*) - COUNT(DISTINCT seq) FROM consent_change WHERE seq IS NOT NULL"))
                .isZero();
    }

    /** The number of the one feed row matching the condition; -1 when it has none. */
    private static long storedNumber(Db db, String condition) {
        return db.one("SELECT seq FROM consent_change WHERE " + condition, rs -> {
            long seq = rs.getLong(1);
            return rs.wasNull() ? -1 : seq;
        }).orElseThrow();
    }

    @Test
    void a_consent_change_commits_only_once_its_feed_entry_has_its_number() throws Exception {
        // pg_locks shows the change's transaction waiting for the counter held here.
        Assumptions.assumeTrue(database.equals("PostgreSQL"));
        String app = registerApplication(api);
        String patient = newPatient();
        CompletableFuture<Res> answer;
        try (Connection counter = service.connection()) {
            counter.setAutoCommit(false);
            try (Statement s = counter.createStatement()) {
                s.executeQuery("SELECT last_seq FROM change_sequence WHERE id = 1 FOR UPDATE").close();
            }
            answer = CompletableFuture.supplyAsync(() -> api.put("/api/v1/me/consents/" + app + "/CARE",
                    Tokens.patient(patient), decision("GRANTED", 1)));
            await().atMost(Duration.ofSeconds(20)).until(() -> service.count("SELECT COUNT(*) FROM pg_locks l "
                    + "JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()") > 0);
            // Waiting for its number, the change has not committed: its decision is not there yet.
            assertThat(service.count("SELECT COUNT(*) FROM consent WHERE patient_id = '" + patient + "'")).isZero();
            assertThat(answer).isNotDone();
            counter.rollback();
        }
        assertThat(answer.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(service.count("SELECT COUNT(*) FROM consent_change WHERE patient_id = '" + patient
                + "' AND seq IS NOT NULL")).isEqualTo(1);
    }

    @Test
    void a_patients_decision_reaches_the_applications_feed_and_no_other() {
        String app = registerApplication(api, "STATISTICS");
        String other = registerApplication(api, "STATISTICS");
        long mine = position(app);
        long theirs = position(other);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");

        List<JsonNode> changes = changesAfter(app, mine, 1);
        assertThat(changes).hasSize(1);
        JsonNode change = changes.get(0);
        assertThat(change.get("patientId").getStringValue()).isEqualTo(patient);
        assertThat(change.get("purpose").getStringValue()).isEqualTo("CARE");
        assertThat(change.get("decision").getStringValue()).isEqualTo("PERMIT");
        assertThat(change.get("reason").getStringValue()).isEqualTo("GRANTED");
        assertThat(change.get("version").getLongValue()).isEqualTo(1);
        assertThat(change.get("seq").getLongValue()).isGreaterThan(mine);

        Res none = api.get("/api/v1/changes?after=" + theirs, Tokens.application(other));
        assertThat(none.list("changes")).isEmpty();
        assertThat(none.body()).doesNotContain(patient);
    }

    @Test
    void a_waiting_request_answers_as_soon_as_a_change_comes() throws Exception {
        String app = registerApplication(api);
        long from = position(app);
        CompletableFuture<Res> waiting = api.getAsync("/api/v1/changes?wait=25&after=" + from, Tokens.application(app));
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        Res res = waiting.get(20, TimeUnit.SECONDS);
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.list("changes")).extracting(c -> c.get("patientId").getStringValue()).containsExactly(patient);
    }

    @Test
    void a_wait_with_no_change_ends_empty_at_the_current_position() {
        String app = registerApplication(api);
        long from = position(app);
        long start = System.nanoTime();
        Res res = api.get("/api/v1/changes?wait=1&after=" + from, Tokens.application(app));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not before its wait is over")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.list("changes")).isEmpty();
        assertThat(res.num("next")).isGreaterThanOrEqualTo(from);
    }

    @Test
    void withdrawing_care_sends_one_change_per_withdrawn_purpose() {
        String app = registerApplication(api, "STATISTICS", "SERVICE_IMPROVEMENT");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, app, "CARE", "GRANTED");
        decide(api, token, app, "STATISTICS", "GRANTED");
        decide(api, token, app, "SERVICE_IMPROVEMENT", "GRANTED");
        long from = changesAfter(app, 0, 3).stream().mapToLong(c -> c.get("seq").getLongValue()).max().orElseThrow();
        decide(api, token, app, "CARE", "WITHDRAWN");
        List<JsonNode> changes = changesAfter(app, from, 3);
        assertThat(changes).extracting(c -> c.get("purpose").getStringValue() + ":" + c.get("reason").getStringValue())
                .containsExactlyInAnyOrder("CARE:WITHDRAWN", "STATISTICS:CARE_NOT_GRANTED", "SERVICE_IMPROVEMENT:CARE_NOT_GRANTED");
        assertThat(changes).allSatisfy(c -> assertThat(c.get("decision").getStringValue()).isEqualTo("DENY"));
    }

    @Test
    void a_new_notice_tells_the_application_that_every_grant_of_the_purpose_needs_reconsent() {
        String app = registerApplication(api, "STATISTICS");
        long from = position(app);
        assertThat(api.put("/api/v1/applications/" + app + "/purposes/STATISTICS", Tokens.admin(),
                "{\"noticeVersion\": 2, \"notice\": {\"fr\": \"v2\", \"en\": \"v2\"}}").status()).isEqualTo(200);
        List<JsonNode> changes = changesAfter(app, from, 1);
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).get("patientId").isNull()).isTrue();
        assertThat(changes.get(0).get("purpose").getStringValue()).isEqualTo("STATISTICS");
        assertThat(changes.get(0).get("reason").getStringValue()).isEqualTo("RECONSENT_REQUIRED");
    }

    @Test
    void a_suspension_is_a_change_for_every_purpose_and_patient() {
        String app = registerApplication(api);
        long from = position(app);
        api.put("/api/v1/applications/" + app + "/status", Tokens.admin(), "{\"status\": \"SUSPENDED\"}");
        List<JsonNode> changes = changesAfter(app, from, 1);
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).get("purpose").isNull()).isTrue();
        assertThat(changes.get(0).get("reason").getStringValue()).isEqualTo("APPLICATION_SUSPENDED");
    }

    @Test
    void feed_parameters_are_validated_and_only_applications_read_it() {
        String app = registerApplication(api);
        assertThat(api.get("/api/v1/changes?wait=31", Tokens.application(app)).str("errors[0].field")).isEqualTo("wait");
        assertThat(api.get("/api/v1/changes?after=-1", Tokens.application(app)).str("errors[0].field")).isEqualTo("after");
        assertThat(api.get("/api/v1/changes?after=x", Tokens.application(app)).status()).isEqualTo(400);
        for (String token : List.of(Tokens.patient("p-1"), Tokens.regulator(), Tokens.admin())) {
            assertThat(api.get("/api/v1/changes", token).status()).isEqualTo(403);
        }
    }
}
