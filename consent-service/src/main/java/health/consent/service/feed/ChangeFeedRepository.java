package health.consent.service.feed;

import health.consent.model.Decision;
import health.consent.model.Purpose;
import health.consent.service.db.Db;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The change feed's table, and its sequencing. */
@Singleton
public class ChangeFeedRepository {

    /**
     * One change as an application reads it. {@code patientId} null means every patient, and
     * {@code purpose} null every purpose: cached decisions in that scope must be asked again.
     * {@code decision} and {@code reason} are null when the new decision depends on each patient.
     * {@code version} is the version of the patient's decision, to order answers for one patient.
     */
    @Serdeable
    public record Change(long seq, String patientId, Purpose purpose, String decision, String reason, long version) {
    }

    private static final int SEQUENCE_BATCH = 5_000;

    private final Db db;

    public ChangeFeedRepository(Db db) {
        this.db = db;
    }

    /** Records a change for one patient; call inside the transaction that makes the change. */
    public void patientChange(String applicationId, String patientId, Purpose purpose, Decision decision,
                              long version, Instant at) {
        insert(applicationId, patientId, purpose, decision.outcome().name(), decision.reason().name(), version, at);
    }

    /** Records a change for every patient of the application (for one purpose, or all when null). */
    public void applicationChange(String applicationId, Purpose purpose, Decision decision, Instant at) {
        insert(applicationId, null, purpose, decision == null ? null : decision.outcome().name(),
                decision == null ? null : decision.reason().name(), 0, at);
    }

    private void insert(String applicationId, String patientId, Purpose purpose, String decision, String reason,
                        long version, Instant at) {
        db.update("INSERT INTO consent_change (application_id, patient_id, purpose, decision, reason, version, at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", applicationId, patientId, purpose, decision, reason, version, at);
    }

    /**
     * Numbers the committed changes that have no number yet, in the order they were written.
     * The counter's row lock makes concurrent sequencers (one per instance) take turns.
     *
     * @return how many changes were numbered
     */
    public int sequence() {
        return db.inTransaction(() -> {
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
        });
    }

    /** The highest sequence number given: every change up to it is readable. */
    public long head() {
        return db.one("SELECT last_seq FROM change_sequence WHERE id = 1", rs -> rs.getLong(1)).orElse(0L);
    }

    /** Who changed between two positions, for every application: [applicationId, patientId or null]. */
    public List<String[]> changedBetween(long after, long upTo, int limit) {
        return db.list("SELECT application_id, patient_id FROM consent_change WHERE seq > ? AND seq <= ? LIMIT ?",
                rs -> new String[] {rs.getString(1), rs.getString(2)}, after, upTo, limit);
    }

    /** The application's changes after {@code after} and up to {@code upTo}, oldest first. */
    public List<Change> read(String applicationId, long after, long upTo, int limit) {
        return db.list("SELECT seq, patient_id, purpose, decision, reason, version FROM consent_change "
                        + "WHERE application_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                rs -> {
                    String purpose = rs.getString("purpose");
                    return new Change(rs.getLong("seq"), rs.getString("patient_id"),
                            purpose == null ? null : Purpose.valueOf(purpose), rs.getString("decision"),
                            rs.getString("reason"), rs.getLong("version"));
                }, applicationId, after, upTo, limit);
    }
}
