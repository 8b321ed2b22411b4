package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.decision;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import health.consent.model.ApplicationId;
import health.consent.model.Channel;
import health.consent.model.ConsentEvent;
import health.consent.model.ConsentState;
import health.consent.model.DecidedBy;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.PurposeConsent;
import health.consent.service.consent.ConsentRepository;
import health.consent.service.db.Db;
import health.consent.service.db.Transactions;
import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.ServiceSettings;
import health.consent.service.support.Tokens;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Consent changes of different patients written in one transaction (group commit), on both
 * databases: with one committer held by a row lock taken behind the service's back, the changes
 * sent meanwhile wait, then go in one group, and each is answered and stored as if it had been
 * written alone.
 */
// While a test holds the only committer, the changes it sends wait: longer than the pool's two
// seconds on a loaded machine, and, on H2, longer than its default lock timeout.
@ServiceSettings({"consent.writes.committers=1", "consent.writes.max-wait=60s",
        "H2:datasources.default.connection-init-sql=SET LOCK_TIMEOUT 60000"})
class ConsentGroupCommitTest extends OnBothDatabases {

    private record Change(String patient, String purpose, String state) {
    }

    /** Locks the patient's rows on a connection of its own, until the connection's transaction ends. */
    private static Connection lockRowsOf(String patient) throws Exception {
        Connection c = service.connection();
        c.setAutoCommit(false);
        try (PreparedStatement s = c.prepareStatement("SELECT version FROM consent WHERE patient_id = ? FOR UPDATE")) {
            s.setString(1, patient);
            s.executeQuery().close();
        }
        return c;
    }

    private static CompletableFuture<Res> send(String app, Change change) {
        return CompletableFuture.supplyAsync(() -> api.put("/api/v1/me/consents/" + app + "/" + change.purpose(),
                Tokens.patient(change.patient()), decision(change.state(), 1)));
    }

    /** Transactions of the group commit so far, and the changes they wrote. */
    private static DistributionSummary groups() {
        return service.context().getBean(MeterRegistry.class).get("consent.writes.group").summary();
    }

    private static double waiting() {
        return service.context().getBean(MeterRegistry.class).get("consent.writes.waiting").gauge().value();
    }

    /** Sends a change of a held patient, and waits until the only committer has taken it. */
    private static CompletableFuture<Res> sendHeld(String app, String held) {
        long before = groups().count();
        CompletableFuture<Res> answer = send(app, new Change(held, "CARE", "REFUSED"));
        await().pollInterval(Duration.ofMillis(5)).until(() -> groups().count() == before + 1);
        return answer;
    }

    /** Sends the changes one after the other, each once the one before waits, so that they wait in this order. */
    private static List<CompletableFuture<Res>> sendWaiting(String app, List<Change> changes) {
        List<CompletableFuture<Res>> answers = new java.util.ArrayList<>();
        for (Change change : changes) {
            answers.add(send(app, change));
            int count = answers.size();
            await().pollInterval(Duration.ofMillis(5)).until(() -> waiting() == count);
        }
        return answers;
    }

    @Test
    void changes_sent_while_a_transaction_runs_are_written_in_one_and_each_as_if_alone() throws Exception {
        String app = registerApplication(api, "STATISTICS");
        String held = newPatient();
        String first = newPatient();
        String withdrawing = newPatient();
        String refused = newPatient();
        String twice = newPatient();
        String again = newPatient();
        decide(api, Tokens.patient(held), app, "CARE", "GRANTED");
        decide(api, Tokens.patient(again), app, "CARE", "GRANTED");
        decide(api, Tokens.patient(withdrawing), app, "CARE", "GRANTED");
        decide(api, Tokens.patient(withdrawing), app, "STATISTICS", "GRANTED");
        long groupsBefore = groups().count();
        double changesBefore = groups().totalAmount();

        List<CompletableFuture<Res>> answers;
        CompletableFuture<Res> heldAnswer;
        try (Connection lock = lockRowsOf(held)) {
            heldAnswer = sendHeld(app, held);
            answers = sendWaiting(app, List.of(
                    new Change(first, "CARE", "GRANTED"),
                    new Change(withdrawing, "CARE", "WITHDRAWN"),
                    new Change(refused, "STATISTICS", "GRANTED"),
                    new Change(twice, "CARE", "GRANTED"),
                    new Change(twice, "STATISTICS", "GRANTED"),
                    // One purpose four times: a first decision, then updates of the row it inserted.
                    new Change(again, "STATISTICS", "GRANTED"),
                    new Change(again, "STATISTICS", "WITHDRAWN"),
                    new Change(again, "STATISTICS", "GRANTED"),
                    new Change(again, "STATISTICS", "WITHDRAWN"),
                    // The same state again: a no-op, no event.
                    new Change(first, "CARE", "GRANTED")));
            assertThat(answers).noneMatch(CompletableFuture::isDone);
            lock.rollback();
        }

        assertThat(heldAnswer.join().status()).isEqualTo(200);
        Res firstAnswer = answers.get(0).join();
        assertThat(firstAnswer.status()).as(firstAnswer.toString()).isEqualTo(200);
        assertThat(firstAnswer.num("consent.version")).isEqualTo(1);
        assertThat(firstAnswer.header("ETag")).isEqualTo("\"1\"");

        // The withdrawal of CARE withdraws STATISTICS with it, which owes an erasure: the answer says so.
        Res withdrawn = answers.get(1).join();
        assertThat(withdrawn.status()).as(withdrawn.toString()).isEqualTo(200);
        assertThat(withdrawn.str("consent.state")).isEqualTo("WITHDRAWN");
        assertThat(withdrawn.list("cascaded")).hasSize(1);
        assertThat(withdrawn.str("cascaded[0].purpose")).isEqualTo("STATISTICS");
        assertThat(withdrawn.str("cascaded[0].state")).isEqualTo("WITHDRAWN");
        assertThat(withdrawn.str("cascaded[0].erasure.id")).isNotBlank();

        // Refused by the rules (no CARE), alone: nothing of it stored, the others unaffected.
        Res refusal = answers.get(2).join();
        assertThat(refusal.status()).isEqualTo(409);
        assertThat(refusal.contentType()).startsWith("application/problem+json");
        assertThat(service.count("SELECT COUNT(*) FROM consent_event WHERE patient_id = '" + refused + "'")).isZero();

        // The second change of the same patient applies to the state after the first.
        assertThat(answers.get(3).join().status()).isEqualTo(200);
        Res second = answers.get(4).join();
        assertThat(second.status()).as(second.toString()).isEqualTo(200);
        assertThat(second.str("consent.state")).isEqualTo("GRANTED");
        assertThat(service.strings("SELECT purpose FROM consent_event WHERE patient_id = '" + twice + "' ORDER BY seq"))
                .containsExactly("CARE", "STATISTICS");

        // Each withdrawal's answer names the erasure it made owed, not a later one of the group.
        List<Res> sameRow = answers.subList(5, 9).stream().map(CompletableFuture::join).toList();
        assertThat(sameRow).extracting(Res::status).containsOnly(200);
        assertThat(sameRow).extracting(r -> r.num("consent.version")).containsExactly(1L, 2L, 3L, 4L);
        // Stored once, as the last of the four left it.
        assertThat(service.strings("SELECT state || ':' || CAST(version AS VARCHAR) FROM consent WHERE patient_id = '"
                + again + "' AND purpose = 'STATISTICS'")).containsExactly("WITHDRAWN:4");
        List<String> owed = service.strings("SELECT o.id FROM purge_obligation o JOIN consent_event e "
                + "ON e.seq = o.event_seq WHERE o.patient_id = '" + again + "' ORDER BY e.seq");
        assertThat(owed).hasSize(2);
        assertThat(sameRow.get(1).str("consent.erasure.id")).isEqualTo(owed.get(0));
        assertThat(sameRow.get(3).str("consent.erasure.id")).isEqualTo(owed.get(1));

        // The no-op answers the state as it is, and records nothing.
        Res noOp = answers.get(9).join();
        assertThat(noOp.status()).isEqualTo(200);
        assertThat(noOp.num("consent.version")).isEqualTo(1);
        assertThat(service.count("SELECT COUNT(*) FROM consent_event WHERE patient_id = '" + first + "'")).isEqualTo(1);

        // The ten waited together: one transaction for them, one for the held change.
        assertThat(groups().count() - groupsBefore).isEqualTo(2);
        assertThat(groups().totalAmount() - changesBefore).isEqualTo(11);

        // Stored as written alone: the cascade points to its cause, the obligation to the cascade,
        // each change has its feed entry, and every event reaches the audit log.
        List<String> withdrawal = service.strings("SELECT purpose || ':' || state || ':' || "
                + "COALESCE(CAST(cause_seq - (SELECT MIN(seq) FROM consent_event WHERE patient_id = '" + withdrawing
                + "' AND state = 'WITHDRAWN') AS VARCHAR), '-') FROM consent_event WHERE patient_id = '" + withdrawing
                + "' AND state = 'WITHDRAWN' ORDER BY seq");
        assertThat(withdrawal).containsExactly("CARE:WITHDRAWN:-", "STATISTICS:WITHDRAWN:0");
        assertThat(service.count("SELECT COUNT(*) FROM purge_obligation o JOIN consent_event e ON e.seq = o.event_seq "
                + "WHERE o.patient_id = '" + withdrawing + "' AND e.purpose = 'STATISTICS'")).isEqualTo(1);
        for (String patient : List.of(held, first, twice, again)) {
            assertThat(service.count("SELECT COUNT(*) FROM consent_change WHERE patient_id = '" + patient + "'"))
                    .as(patient).isEqualTo(service.count(
                            "SELECT COUNT(*) FROM consent_event WHERE patient_id = '" + patient + "'"));
        }
        assertThat(service.count("SELECT COUNT(*) FROM consent_change WHERE patient_id = '" + withdrawing
                + "' AND purpose = 'STATISTICS' AND purge_id IS NOT NULL")).isEqualTo(1);
        await().until(() -> service.count("SELECT COUNT(*) FROM consent_event WHERE leaf_index IS NULL") == 0);
        Res history = api.get("/api/v1/me/consents/history", Tokens.patient(twice));
        assertThat(history.list("items")).extracting(e -> e.get("purpose").getStringValue())
                .containsExactly("STATISTICS", "CARE");
    }

    @Test
    void a_group_that_fails_on_a_race_is_written_again_and_leaves_nothing_of_its_failed_attempt() throws Exception {
        // PostgreSQL makes the group wait on the other transaction's uncommitted row, then fails it
        // with a unique violation when that commits: a race between instances, played deterministically.
        Assumptions.assumeTrue(database.equals("PostgreSQL"));
        String app = registerApplication(api);
        String held = newPatient();
        String racing = newPatient();
        String other = newPatient();
        decide(api, Tokens.patient(held), app, "CARE", "GRANTED");

        long groupsBefore = groups().count();
        double changesBefore = groups().totalAmount();
        List<CompletableFuture<Res>> answers;
        CompletableFuture<Res> heldAnswer;
        try (Connection lock = lockRowsOf(held); Connection race = service.connection()) {
            race.setAutoCommit(false);
            try (PreparedStatement s = race.prepareStatement("INSERT INTO consent (patient_id, application_id, purpose, "
                    + "state, notice_version, version, updated_at) VALUES (?, ?, 'CARE', 'REFUSED', 1, 1, CURRENT_TIMESTAMP)")) {
                s.setString(1, racing);
                s.setString(2, app);
                s.executeUpdate();
            }
            heldAnswer = sendHeld(app, held);
            answers = sendWaiting(app, List.of(new Change(other, "CARE", "GRANTED"),
                    new Change(racing, "CARE", "GRANTED")));
            lock.rollback();
            // The group waits on the racing row; once that commits, the group fails on it.
            await().until(() -> service.count("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    + "AND datname = current_database() AND (query LIKE 'INSERT INTO consent %' "
                    + "OR query LIKE 'WITH inserted AS (INSERT INTO consent %')") == 1);
            race.commit();
        }

        assertThat(heldAnswer.join().status()).isEqualTo(200);
        Res otherAnswer = answers.get(0).join();
        assertThat(otherAnswer.status()).as(otherAnswer.toString()).isEqualTo(200);
        assertThat(otherAnswer.num("consent.version")).isEqualTo(1);
        // Written again, on the row the race left: its next version.
        Res racingAnswer = answers.get(1).join();
        assertThat(racingAnswer.status()).as(racingAnswer.toString()).isEqualTo(200);
        assertThat(racingAnswer.num("consent.version")).isEqualTo(2);
        // Taken as a group (and, once failed, written again as one: the race's row now stands).
        assertThat(groups().count() - groupsBefore).isEqualTo(2);
        assertThat(groups().totalAmount() - changesBefore).isEqualTo(3);
        // Nothing of the failed attempt stayed: one event and one feed entry for each change.
        for (String patient : List.of(other, racing)) {
            assertThat(service.count("SELECT COUNT(*) FROM consent_event WHERE patient_id = '" + patient + "'"))
                    .as(patient).isEqualTo(1);
            assertThat(service.count("SELECT COUNT(*) FROM consent_change WHERE patient_id = '" + patient + "'"))
                    .as(patient).isEqualTo(1);
        }
    }

    @Test
    void two_reads_sent_together_answer_each_its_own_rows_with_its_own_parameters() {
        // As the decisions' lock and the erasures owed are read (on PostgreSQL, one text of two statements).
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        Db db = service.context().getBean(Db.class);
        Db.Both<String, Long> both = service.context().getBean(Transactions.class).write(() -> db.both(
                new Db.Read<>("SELECT state FROM consent WHERE patient_id = ? AND application_id = ? FOR UPDATE",
                        rs -> rs.getString(1), patient, app),
                new Db.Read<>("SELECT COUNT(*) FROM consent_event WHERE patient_id = ? AND purpose = ? AND state = ?",
                        rs -> rs.getLong(1), patient, "CARE", "GRANTED")));
        assertThat(both.first()).containsExactly("GRANTED");
        assertThat(both.second()).containsExactly(1L);
        // A first read with no rows still leaves the second its own.
        Db.Both<String, Long> none = service.context().getBean(Transactions.class).write(() -> db.both(
                new Db.Read<>("SELECT state FROM consent WHERE patient_id = ?", rs -> rs.getString(1), newPatient()),
                new Db.Read<>("SELECT COUNT(*) FROM consent WHERE patient_id = ?", rs -> rs.getLong(1), patient)));
        assertThat(none.first()).isEmpty();
        assertThat(none.second()).containsExactly(1L);
    }

    @Test
    void on_postgresql_the_lock_and_the_erasures_read_with_it_are_planned_once_for_any_number_of_keys()
            throws Exception {
        Assumptions.assumeTrue("PostgreSQL".equals(database), "H2 keeps no plans");
        String app = registerApplication(api);
        List<String> patients = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            patients.add(newPatient());
            decide(api, Tokens.patient(patients.get(i)), app, "CARE", "GRANTED");
        }
        try (Connection c = service.connection(); java.sql.Statement s = c.createStatement()) {
            s.execute("PREPARE lock_keys(varchar[], varchar[]) AS " + numbered(ConsentRepository.LOCK_BY_ARRAYS));
            s.execute("PREPARE erasures_owed(varchar[]) AS "
                    + numbered(health.consent.service.purge.PurgeRepository.OF_PATIENTS_BY_ARRAY));
            // Groups of every size from 8 to 64 keys, as the committer sends them.
            for (int run = 0; run < 12; run++) {
                int size = 8 + run * 5;
                List<String> keys = new java.util.ArrayList<>(patients);
                while (keys.size() < size) {
                    keys.add("absent-" + run + "-" + keys.size());
                }
                String ids = "ARRAY['" + String.join("', '", keys) + "']";
                String apps = "ARRAY[" + String.join(", ", java.util.Collections.nCopies(size, "'" + app + "'")) + "]";
                int locked = 0;
                try (java.sql.ResultSet rs = s.executeQuery("EXECUTE lock_keys(" + ids + ", " + apps + ")")) {
                    while (rs.next()) {
                        locked++;
                    }
                }
                assertThat(locked).as("the decisions of the keys given, and no other").isEqualTo(8);
                s.execute("EXECUTE erasures_owed(" + ids + ")");
            }
            try (java.sql.ResultSet rs = s.executeQuery("SELECT name, generic_plans, custom_plans "
                    + "FROM pg_prepared_statements WHERE name IN ('lock_keys', 'erasures_owed')")) {
                int statements = 0;
                while (rs.next()) {
                    statements++;
                    // The server tries five plans for the values given, then keeps one for all.
                    assertThat(rs.getLong("custom_plans")).as(rs.getString("name")).isLessThanOrEqualTo(5);
                    assertThat(rs.getLong("generic_plans")).as(rs.getString("name")).isGreaterThanOrEqualTo(7);
                }
                assertThat(statements).isEqualTo(2);
            }
        }
    }

    /** The statement with its JDBC parameters ({@code ?}) numbered as the server's ({@code $1}, {@code $2}...). */
    private static String numbered(String sql) {
        StringBuilder out = new StringBuilder();
        int n = 0;
        for (char ch : sql.toCharArray()) {
            out.append(ch == '?' ? "$" + ++n : String.valueOf(ch));
        }
        return out.toString();
    }

    @Test
    void a_decision_that_moved_under_its_lock_fails_the_whole_write_and_nothing_of_it_is_stored() {
        String app = registerApplication(api);
        String patient = newPatient();
        String other = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        ConsentRepository consents = service.context().getBean(ConsentRepository.class);
        Transactions transactions = service.context().getBean(Transactions.class);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        // Read "under the lock" at version 2, where the row is at version 1: the row moved, as far as this write knows.
        ConsentRepository.Save moved = new ConsentRepository.Save(PatientId.of(patient), ApplicationId.of(app),
                new PurposeConsent(Purpose.CARE, ConsentState.GRANTED, 1, 2, now),
                new PurposeConsent(Purpose.CARE, ConsentState.REFUSED, 1, 3, now));
        ConsentRepository.Save first = new ConsentRepository.Save(PatientId.of(other), ApplicationId.of(app),
                PurposeConsent.notSet(Purpose.CARE), new PurposeConsent(Purpose.CARE, ConsentState.GRANTED, 1, 1, now));

        // With their events, as a group writes them (on PostgreSQL, decisions and events in one statement).
        List<ConsentEvent> events = List.of(
                new ConsentEvent(0, PatientId.of(other), ApplicationId.of(app), Purpose.CARE, ConsentState.GRANTED,
                        ConsentState.NOT_SET, 1, DecidedBy.patient(PatientId.of(other)), Channel.WEB, null, now, null, null),
                new ConsentEvent(0, PatientId.of(patient), ApplicationId.of(app), Purpose.CARE, ConsentState.REFUSED,
                        ConsentState.GRANTED, 1, DecidedBy.patient(PatientId.of(patient)), Channel.WEB, null, now, null, null));
        long eventsBefore = service.count("SELECT COUNT(*) FROM consent_event");

        assertThatThrownBy(() -> transactions.write(() -> {
            consents.saveAndAppend(List.of(first, moved), events, new int[] {-1, -1});
            return null;
        })).hasStackTraceContaining("consent row changed under its lock");
        assertThat(service.strings("SELECT state || ':' || CAST(version AS VARCHAR) FROM consent WHERE patient_id = '"
                + patient + "'")).containsExactly("GRANTED:1");
        assertThat(service.count("SELECT COUNT(*) FROM consent WHERE patient_id = '" + other + "'")).isZero();
        assertThat(service.count("SELECT COUNT(*) FROM consent_event")).isEqualTo(eventsBefore);
    }
}
