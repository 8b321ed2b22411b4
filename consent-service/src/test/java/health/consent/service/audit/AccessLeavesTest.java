package health.consent.service.audit;

import static health.consent.service.support.Fixtures.accessRecord;
import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.model.AccessRecord;
import health.consent.service.access.AccessRecordRepository;
import health.consent.service.db.Transactions;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Access records take their leaves by batch (one per request): the readers of the log (the
 * findings pass, proofs) still find each record at its leaf, and walk them in the log's order
 * from any leaf, a page at a time, across batches and the consent events between them.
 */
class AccessLeavesTest extends OnBothDatabases {

    @Test
    void the_records_after_any_leaf_come_in_the_logs_order_whatever_the_page_and_the_batches() {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        List<String> ids = new ArrayList<>();
        Instant at = Instant.now().minusSeconds(60);
        for (int size : new int[] {3, 1, 4, 2}) {
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                batch.add(accessRecord(id, patient, at));
            }
            assertThat(api.post("/api/v1/access-records", Tokens.application(app), "[" + String.join(",", batch) + "]")
                    .num("stored")).isEqualTo(size);
            // A consent event between two batches takes a leaf between theirs once both are logged.
            decide(api, Tokens.patient(newPatient()), app, "CARE", "GRANTED");
        }
        Transactions transactions = service.context().getBean(Transactions.class);
        AccessRecordRepository records = service.context().getBean(AccessRecordRepository.class);
        await().until(() -> transactions.read(records::countUnlogged) == 0);

        List<AccessRecord> all = transactions.read(() -> records.loggedAfter(-1, 10_000));
        assertThat(all.stream().map(AccessRecord::id).toList()).containsAll(ids);
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).leafIndex()).isGreaterThan(all.get(i - 1).leafIndex());
        }
        for (AccessRecord r : all) {
            assertThat(transactions.read(() -> records.atLeaf(r.leafIndex())).map(AccessRecord::id)).contains(r.id());
        }
        long last = all.get(all.size() - 1).leafIndex();
        for (long cursor = -1; cursor <= last + 1; cursor++) {
            long after = cursor;
            List<String> rest = all.stream().filter(r -> r.leafIndex() > after).map(AccessRecord::id).toList();
            for (int limit : new int[] {1, 2, 3, 5, 7}) {
                List<String> page = transactions.read(() -> records.loggedAfter(after, limit)).stream()
                        .map(AccessRecord::id).toList();
                assertThat(page).as("after leaf %d, %d at most", after, limit)
                        .isEqualTo(rest.subList(0, Math.min(limit, rest.size())));
            }
        }
    }

    @Test
    void a_page_ends_before_the_first_batch_received_after_the_time_given_even_if_a_later_one_came_earlier() {
        String app = registerApplication(api);
        String patient = newPatient();
        List<Long> batches = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            String id = UUID.randomUUID().toString();
            assertThat(api.post("/api/v1/access-records", Tokens.application(app),
                    "[" + accessRecord(id, patient, Instant.now().minusSeconds(60)) + "]").num("stored")).isEqualTo(1);
            batches.add(service.count("SELECT batch_id FROM access_record WHERE id = '" + id + "'"));
        }
        Transactions transactions = service.context().getBean(Transactions.class);
        AccessRecordRepository records = service.context().getBean(AccessRecordRepository.class);
        await().until(() -> transactions.read(records::countUnlogged) == 0);
        long before = transactions.read(() -> records.loggedAfter(-1, 10_000)).stream()
                .filter(r -> r.applicationId().equals(app)).mapToLong(AccessRecord::leafIndex).min().orElseThrow() - 1;
        // The second batch received an hour after the third (two instances, one slow to commit).
        Instant t = Instant.parse("2026-01-01T10:00:00Z");
        String[] received = {"2026-01-01 09:00:00+00", "2026-01-01 11:00:00+00", "2026-01-01 09:30:00+00"};
        for (int b = 0; b < 3; b++) {
            service.sql("UPDATE access_batch SET received_at = TIMESTAMP WITH TIME ZONE '" + received[b] + "' WHERE id = "
                    + batches.get(b));
        }
        List<Long> read = transactions.read(() -> records.loggedAfter(before, 10, t)).stream()
                .map(r -> service.count("SELECT batch_id FROM access_record WHERE id = '" + r.id() + "'")).toList();
        assertThat(read).as("the first batch only: the third waits behind the second").containsExactly(batches.get(0));
        assertThat(transactions.read(() -> records.loggedAfter(before, 10, t.plusSeconds(7200)))).hasSize(3);
        assertThat(transactions.read(() -> records.loggedAfter(before, 10, null))).hasSize(3);
    }

    /** Carries a result out of a transaction that must not commit. */
    private static final class RolledBack extends RuntimeException {
        final long result;

        RolledBack(long result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    /** What dropping the month's partition answers, in a transaction rolled back whatever it did. */
    private static long dropMonthRolledBack(java.time.YearMonth month, long judgedUpTo) {
        Transactions transactions = service.context().getBean(Transactions.class);
        AccessRecordRepository records = service.context().getBean(AccessRecordRepository.class);
        try {
            transactions.write(() -> {
                throw new RolledBack(records.dropMonth(month, judgedUpTo));
            });
        } catch (RolledBack r) {
            return r.result;
        }
        throw new AssertionError("the transaction was not rolled back");
    }

    @Test
    void a_month_holding_a_record_not_judged_yet_is_not_dropped_whatever_its_batch() {
        org.junit.jupiter.api.Assumptions.assumeTrue("PostgreSQL".equals(database), "months are partitions on PostgreSQL");
        String app = registerApplication(api);
        String patient = newPatient();
        Instant at = Instant.now().minusSeconds(60);
        java.time.YearMonth month = java.time.YearMonth.from(at.atZone(java.time.ZoneOffset.UTC));
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batch.add(accessRecord(UUID.randomUUID().toString(), patient, at));
        }
        assertThat(api.post("/api/v1/access-records", Tokens.application(app), "[" + String.join(",", batch) + "]")
                .num("stored")).isEqualTo(3);
        Transactions transactions = service.context().getBean(Transactions.class);
        AccessRecordRepository records = service.context().getBean(AccessRecordRepository.class);
        await().until(() -> transactions.read(records::countUnlogged) == 0);
        long first = service.count("SELECT MAX(first_leaf) FROM access_batch WHERE leaf_count = 3");
        long last = service.count("SELECT MAX(leaf_index) FROM (" + health.consent.service.support.Databases.ACCESS_LEAVES
                + ") l");

        assertThat(dropMonthRolledBack(month, first - 1)).as("a batch after the judged leaf").isEqualTo(-1);
        assertThat(dropMonthRolledBack(month, first + 1)).as("a batch across the judged leaf").isEqualTo(-1);
        // A batch not numbered yet, with a record in the month.
        service.sql("INSERT INTO access_batch (id, leaf_count, received_at) VALUES (999999999, 1, now())");
        service.sql("INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, outcome, "
                + "at, received_at, accessor_type, salt, batch_id, leaf_position) VALUES ('" + app + "', '"
                + UUID.randomUUID() + "', '" + patient + "', 'CARE', 'dr', 'vitals', 'PERMIT', now() - interval '1 minute', "
                + "now(), 'APPLICATION', '" + "0a".repeat(32) + "', 999999999, 0)");
        try {
            assertThat(dropMonthRolledBack(month, last)).as("a batch not numbered").isEqualTo(-1);
        } finally {
            service.sql("DELETE FROM access_record WHERE batch_id = 999999999");
            service.sql("DELETE FROM access_batch WHERE id = 999999999");
        }
        assertThat(dropMonthRolledBack(month, Long.MAX_VALUE / 2)).as("every record judged").isPositive();
    }

    @Test
    void a_record_written_as_an_earlier_version_did_with_neither_leaf_nor_batch_is_refused() {
        String app = registerApplication(api);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> service.sql("INSERT INTO access_record (application_id, "
                        + "id, patient_id, purpose, actor, data_category, outcome, at, received_at, accessor_type, salt) "
                        + "VALUES ('" + app + "', '" + UUID.randomUUID() + "', 'p-1', 'CARE', 'dr', 'vitals', 'PERMIT', "
                        + "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'APPLICATION', '" + "0a".repeat(32) + "')"))
                .as("it would never reach the log").satisfies(e -> {
                    java.io.StringWriter trace = new java.io.StringWriter();
                    e.printStackTrace(new java.io.PrintWriter(trace));
                    assertThat(trace.toString().toLowerCase()).contains("access_record_in_the_log");
                });
        assertThat(service.count("SELECT COUNT(*) FROM access_record WHERE application_id = '" + app + "'")).isZero();
    }
}
