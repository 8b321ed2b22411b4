package health.consent.service.feed;

import health.consent.model.ApplicationId;
import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.model.wire.FeedChange;
import health.consent.service.db.Db;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The change feed's tables, and every statement on them: {@code consent_change} and {@code change_sequence}. */
@Singleton
public class ChangeFeedRepository {

    /** A change of the feed, with the application it concerns and when it was committed. */
    public record Entry(ApplicationId application, FeedChange change, Instant at) {

        /** The patient it concerns, or null for every patient of the application. */
        public PatientId patient() {
            return change.patientId() == null ? null : PatientId.of(change.patientId());
        }
    }

    private static final int SEQUENCE_BATCH = 5_000;

    private final Db db;

    public ChangeFeedRepository(Db db) {
        this.db = db;
    }

    /** A change for one patient, with the purge obligation it created (or null). */
    public record PatientChange(ApplicationId application, PatientId patient, Purpose purpose, Decision decision,
                                long version, Instant at, String purgeId) {
    }

    /**
     * Records changes for patients, in this order, numbered: call inside the transaction that makes
     * them (see {@link #numbered}).
     */
    public void patientChanges(List<PatientChange> changes) {
        List<Object[]> rows = new ArrayList<>(changes.size());
        for (PatientChange c : changes) {
            rows.add(new Object[] {c.application(), c.patient(), c.purpose(), c.decision().outcome(),
                    c.decision().reason(), c.version(), c.at(), c.purgeId(), null});
        }
        numbered(rows);
    }

    /**
     * Records a change for every patient of the application (for one purpose, or all when null),
     * numbered: call inside the transaction that makes it (see {@link #numbered}).
     */
    public void applicationChange(ApplicationId application, Purpose purpose, Decision decision, Instant at) {
        List<Object[]> rows = new ArrayList<>(1);
        rows.add(new Object[] {application, null, purpose, decision == null ? null : decision.outcome(),
                decision == null ? null : decision.reason(), 0L, at, null, null});
        numbered(rows);
    }

    /**
     * Moves the counter on by the number of rows and inserts them (their last column, the number,
     * left empty: filled here, or in the statement on PostgreSQL) numbered from where it stood. The
     * counter's row stays locked until the writing transaction ends, so writers (of any instance)
     * number in turn and commit in the order of their numbers: a reader that sees the counter at N
     * sees every change up to N, and a change written after another committed comes after it. It
     * must be the transaction's last lock (a consent change locks its patients' rows first), so
     * that writers wait for each other rather than deadlock, and for no longer than the commit: it
     * runs at the end of the transaction ({@link Db#atCommit}), on PostgreSQL as one statement sent
     * with the commit. (A write that joins a transaction begun elsewhere, which none of the
     * service's does, runs it at its own end instead, and leaves the commit to that transaction.) Numbering here rather than in a later pass spares an update of every change.
     */
    private void numbered(List<Object[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        if (db.isPostgres()) {
            numberedWithTheCommit(rows);
        } else {
            db.atCommit(() -> numberedApart(rows));
        }
    }

    /** The counter locked and moved, then the rows inserted: three statements (H2). */
    private void numberedApart(List<Object[]> rows) {
        long upTo = lockCounter() + rows.size();
        db.update("UPDATE change_sequence SET last_seq = ? WHERE id = 1", upTo);
        long last = upTo - rows.size();
        for (int i = 0; i < rows.size(); i++) {
            Object[] row = rows.get(i);
            row[row.length - 1] = last + i + 1;
        }
        db.batch(INSERT_NUMBERED, rows);
    }

    /**
     * PostgreSQL: one statement locks and moves the counter and inserts the rows numbered from where
     * it stood, sent with the transaction's commit: the counter is locked for that one round trip
     * alone, and a writer makes one round trip where it made two (this statement, then the
     * commit). On a busy machine each round trip is a wake-up on either side, each waiting for a
     * core, while every writer waits for the counter's row (BENCHMARKS.md, "Cores left idle by the
     * consent changes").
     */
    private void numberedWithTheCommit(List<Object[]> rows) {
        Object[] columns = Db.textColumns(rows);
        Object[] params = new Object[columns.length + 2];
        params[0] = (long) rows.size();
        params[1] = (long) rows.size();
        System.arraycopy(columns, 0, params, 2, columns.length);
        db.atCommit(MOVE_AND_INSERT_ROWS, params);
    }

    private long lockCounter() {
        return db.one("SELECT last_seq FROM change_sequence WHERE id = 1 FOR UPDATE", rs -> rs.getLong(1))
                .orElseThrow();
    }

    private static final String INSERT_CHANGE = "INSERT INTO consent_change (application_id, patient_id, purpose, "
            + "decision, reason, version, at, purge_id, seq) ";
    private static final String INSERT_NUMBERED = INSERT_CHANGE + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    /**
     * Moves the counter on by the number of rows and inserts them numbered after where it stood, in
     * their order; its rows read the counter as moved. Its answer is not read (it goes with the
     * commit): were the counter's row missing (the first migration makes it, nothing deletes it),
     * the rows would still be inserted, without a number, and the feed's pass, which numbers such
     * rows under the counter's lock, would fail at each tick, in the log, rather than the changes
     * be lost without a word.
     */
    private static final String MOVE_AND_INSERT_ROWS = "WITH moved AS (UPDATE change_sequence SET last_seq = last_seq + ? "
            + "WHERE id = 1 RETURNING last_seq) " + INSERT_CHANGE + "SELECT a, p, pu, d, r, v::bigint, "
            + "t::timestamptz, g, moved.last_seq - ? + n FROM " + Db.unnestText(9)
            + " WITH ORDINALITY AS u(a, p, pu, d, r, v, t, g, s, n) LEFT JOIN moved ON true ORDER BY n";

    /**
     * Numbers the committed changes that have no number yet (written by an instance of an earlier
     * version, which left the numbering to this pass), in the order they were written.
     * The counter's row lock makes concurrent sequencers (one per instance) take turns.
     * Call inside a transaction.
     *
     * @return how many changes were numbered
     */
    public int sequence() {
        // Nothing to number (at every pass of an instance that only serves readers, and at every
        // tick): no lock taken, so that such a pass never holds up the instance whose writes wait to
        // be numbered. A change committed after this look is numbered by its writer's own pass.
        if (db.one("SELECT id FROM consent_change WHERE seq IS NULL LIMIT 1", rs -> rs.getLong(1)).isEmpty()) {
            return 0;
        }
        long last = lockCounter();
        // One statement numbers the whole batch (the oldest first, from last + 1 without a gap), rather
        // than a read of the ids and an update per change.
        int numbered = db.update("MERGE INTO consent_change c USING (SELECT id, ? + ROW_NUMBER() OVER (ORDER BY id) AS n "
                + "FROM (SELECT id FROM consent_change WHERE seq IS NULL ORDER BY id LIMIT " + SEQUENCE_BATCH + ") w) u "
                + "ON c.id = u.id WHEN MATCHED THEN UPDATE SET seq = u.n", last);
        if (numbered > 0) {
            db.update("UPDATE change_sequence SET last_seq = ? WHERE id = 1", last + numbered);
        }
        return numbered;
    }

    /** The highest sequence number given: every change up to it is readable. */
    public long head() {
        return db.one("SELECT last_seq FROM change_sequence WHERE id = 1", rs -> rs.getLong(1)).orElse(0L);
    }

    /** Every application's changes after {@code after} and up to {@code upTo}, oldest first: one read for all. */
    public List<Entry> readAll(long after, long upTo, int limit) {
        return db.list("SELECT application_id, seq, patient_id, purpose, decision, reason, version, at, purge_id "
                        + "FROM consent_change WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                rs -> new Entry(ApplicationId.of(rs.getString("application_id")), change(rs), Db.instant(rs, "at")),
                after, upTo, limit);
    }

    /**
     * Tells the other instances sharing the database that changes were numbered (PostgreSQL: a
     * notification, delivered when the transaction commits and carrying no data). Call in a
     * transaction of the feed's pass, never in a writing one: PostgreSQL commits notifying
     * transactions one at a time, and a writer holds the feed's counter until it commits. On H2,
     * which one instance uses alone, nothing is sent.
     */
    public void notifyOthers() {
        if (db.isPostgres()) {
            db.one("SELECT pg_notify('" + CHANNEL + "', '')", rs -> 1);
        }
    }

    /** The PostgreSQL notification channel of the feed. */
    public static final String CHANNEL = "consent_feed";

    /** The application's changes after {@code after} and up to {@code upTo}, oldest first. */
    public List<FeedChange> read(ApplicationId application, long after, long upTo, int limit) {
        return db.list("SELECT seq, patient_id, purpose, decision, reason, version, purge_id FROM consent_change "
                        + "WHERE application_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                ChangeFeedRepository::change, application, after, upTo, limit);
    }

    private static FeedChange change(java.sql.ResultSet rs) throws java.sql.SQLException {
        String purpose = rs.getString("purpose");
        String decision = rs.getString("decision");
        String reason = rs.getString("reason");
        return new FeedChange(rs.getLong("seq"), rs.getString("patient_id"),
                purpose == null ? null : Purpose.valueOf(purpose), decision == null ? null : Outcome.valueOf(decision),
                reason == null ? null : Reason.valueOf(reason), rs.getLong("version"), rs.getString("purge_id"));
    }
}
