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

    /** Who changed: an application, and one of its patients or (null) all of them. */
    public record Changed(ApplicationId application, PatientId patient) {
    }

    private static final int SEQUENCE_BATCH = 5_000;

    private final Db db;

    public ChangeFeedRepository(Db db) {
        this.db = db;
    }

    /** Records a change for one patient; call inside the transaction that makes the change. */
    public void patientChange(ApplicationId application, PatientId patient, Purpose purpose, Decision decision,
                              long version, Instant at) {
        insert(application, patient, purpose, decision, version, at);
    }

    /** Records a change for every patient of the application (for one purpose, or all when null). */
    public void applicationChange(ApplicationId application, Purpose purpose, Decision decision, Instant at) {
        insert(application, null, purpose, decision, 0, at);
    }

    private void insert(ApplicationId application, PatientId patient, Purpose purpose, Decision decision,
                        long version, Instant at) {
        db.update("INSERT INTO consent_change (application_id, patient_id, purpose, decision, reason, version, at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)", application, patient, purpose,
                decision == null ? null : decision.outcome(), decision == null ? null : decision.reason(), version, at);
    }

    /**
     * Numbers the committed changes that have no number yet, in the order they were written.
     * The counter's row lock makes concurrent sequencers (one per instance) take turns.
     * Call inside a transaction.
     *
     * @return how many changes were numbered
     */
    public int sequence() {
        long last = db.one("SELECT last_seq FROM change_sequence WHERE id = 1 FOR UPDATE", rs -> rs.getLong(1))
                .orElseThrow();
        List<Long> ids = db.list("SELECT id FROM consent_change WHERE seq IS NULL ORDER BY id LIMIT "
                + SEQUENCE_BATCH, rs -> rs.getLong(1));
        if (ids.isEmpty()) {
            return 0;
        }
        List<Object[]> rows = new ArrayList<>(ids.size());
        long seq = last;
        for (Long id : ids) {
            rows.add(new Object[] {++seq, id});
        }
        db.batch("UPDATE consent_change SET seq = ? WHERE id = ?", rows);
        db.update("UPDATE change_sequence SET last_seq = ? WHERE id = 1", seq);
        return ids.size();
    }

    /** The highest sequence number given: every change up to it is readable. */
    public long head() {
        return db.one("SELECT last_seq FROM change_sequence WHERE id = 1", rs -> rs.getLong(1)).orElse(0L);
    }

    /** Who changed between two positions, for every application. */
    public List<Changed> changedBetween(long after, long upTo, int limit) {
        return db.list("SELECT application_id, patient_id FROM consent_change WHERE seq > ? AND seq <= ? LIMIT ?",
                rs -> {
                    String patient = rs.getString(2);
                    return new Changed(ApplicationId.of(rs.getString(1)), patient == null ? null : PatientId.of(patient));
                }, after, upTo, limit);
    }

    /** The application's changes after {@code after} and up to {@code upTo}, oldest first. */
    public List<FeedChange> read(ApplicationId application, long after, long upTo, int limit) {
        return db.list("SELECT seq, patient_id, purpose, decision, reason, version FROM consent_change "
                        + "WHERE application_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                rs -> {
                    String purpose = rs.getString("purpose");
                    String decision = rs.getString("decision");
                    String reason = rs.getString("reason");
                    return new FeedChange(rs.getLong("seq"), rs.getString("patient_id"),
                            purpose == null ? null : Purpose.valueOf(purpose),
                            decision == null ? null : Outcome.valueOf(decision),
                            reason == null ? null : Reason.valueOf(reason), rs.getLong("version"));
                }, application, after, upTo, limit);
    }
}
