package health.consent.service.purge;

import health.consent.model.ApplicationId;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.service.db.Db;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Purge obligations: {@code purge_obligation}. */
@Singleton
public class PurgeRepository {

    private static final String SELECT = "SELECT id, patient_id, application_id, purpose, event_seq, created_at, "
            + "confirmed_at FROM purge_obligation";

    private final Db db;

    public PurgeRepository(Db db) {
        this.db = db;
    }

    /** An obligation as stored; {@code confirmedAt} null while the erasure is pending. */
    public record Obligation(String id, String patientId, String applicationId, Purpose purpose, long eventSeq,
                             Instant createdAt, Instant confirmedAt) {
    }

    /**
     * Stores new obligations: in one statement on PostgreSQL, sent with the transaction's commit (the
     * writer reads none of them back), in one batch otherwise.
     */
    public void insertAll(List<Obligation> obligations) {
        db.writeAllAtCommit(INSERT + "VALUES (?, ?, ?, ?, ?, ?)", INSERT + "SELECT i, p, a, pu, e::bigint, t::timestamptz FROM "
                + Db.unnestText(6) + " AS u(i, p, a, pu, e, t)", obligations.stream().map(o -> new Object[] {o.id(),
                        o.patientId(), o.applicationId(), o.purpose().name(), o.eventSeq(), o.createdAt()}).toList());
    }

    private static final String INSERT =
            "INSERT INTO purge_obligation (id, patient_id, application_id, purpose, event_seq, created_at) ";

    /** The application's obligation, locked until the transaction ends; empty for another application's. */
    public Optional<Obligation> lockOwn(ApplicationId application, String id) {
        return db.one(SELECT + " WHERE id = ? AND application_id = ? FOR UPDATE", PurgeRepository::obligation, id,
                application);
    }

    public void confirm(String id, Instant at) {
        db.update("UPDATE purge_obligation SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL", at, id);
    }

    /** The patient's obligations, oldest first. */
    public List<Obligation> ofPatient(PatientId patient) {
        return ofPatients(List.of(patient));
    }

    /** The obligations of these patients, each patient's oldest first, in one statement. */
    public List<Obligation> ofPatients(java.util.Collection<PatientId> patients) {
        if (patients.isEmpty()) {
            return List.of();
        }
        return db.list(ofPatientsRead(patients));
    }

    /**
     * The read of {@link #ofPatients} (at least one patient), for a caller that sends it with another.
     * On PostgreSQL the patients go as an array, so that the statement is planned once for all
     * (as the decisions' lock is, ConsentRepository); on H2 as a list padded to a power of two
     * ({@link Db#padToPowerOfTwo}).
     */
    public Db.Read<Obligation> ofPatientsRead(java.util.Collection<PatientId> patients) {
        if (db.isPostgres()) {
            return new Db.Read<>(OF_PATIENTS_BY_ARRAY, PurgeRepository::obligation,
                    Db.textColumns(patients.stream().map(p -> new Object[] {p}).toList()));
        }
        List<Object> params = new java.util.ArrayList<>(patients);
        int slots = Db.padToPowerOfTwo(params, 1);
        String marks = String.join(", ", java.util.Collections.nCopies(slots, "?"));
        return new Db.Read<>(SELECT + " WHERE patient_id IN (" + marks + ") ORDER BY created_at, id",
                PurgeRepository::obligation, params.toArray());
    }

    /** {@link #ofPatientsRead} on PostgreSQL: one parameter, the patients (a text array). */
    public static final String OF_PATIENTS_BY_ARRAY = SELECT + " WHERE patient_id = ANY(?::varchar[]) ORDER BY created_at, id";

    /** The application's pending obligations, oldest first. */
    public List<Obligation> pending(ApplicationId application, int limit, long offset) {
        return db.list(SELECT + " WHERE application_id = ? AND confirmed_at IS NULL ORDER BY created_at, id LIMIT ? OFFSET ?",
                PurgeRepository::obligation, application, limit, offset);
    }

    public long countPending(ApplicationId application) {
        return db.count("SELECT COUNT(*) FROM purge_obligation WHERE application_id = ? AND confirmed_at IS NULL",
                application);
    }

    /** An overdue obligation and the leaf of the event that created it (null until that event is in the log). */
    public record Overdue(Obligation obligation, Long eventLeaf) {
    }

    /** Pending obligations created before {@code before} and not yet reported as overdue. */
    public List<Overdue> overdue(Instant before, int limit) {
        return db.list("SELECT o.id, o.patient_id, o.application_id, o.purpose, o.event_seq, o.created_at, o.confirmed_at, "
                        + "e.leaf_index FROM purge_obligation o JOIN consent_event e ON e.seq = o.event_seq "
                        + "WHERE o.overdue_reported = FALSE AND o.confirmed_at IS NULL AND o.created_at < ? "
                        + "ORDER BY o.created_at LIMIT " + limit,
                rs -> new Overdue(obligation(rs), rs.getObject("leaf_index", Long.class)), before);
    }

    public void reportedOverdue(String id) {
        db.update("UPDATE purge_obligation SET overdue_reported = TRUE WHERE id = ?", id);
    }

    private static Obligation obligation(ResultSet rs) throws SQLException {
        return new Obligation(rs.getString("id"), rs.getString("patient_id"), rs.getString("application_id"),
                Purpose.valueOf(rs.getString("purpose")), rs.getLong("event_seq"), Db.instant(rs, "created_at"),
                Db.instant(rs, "confirmed_at"));
    }
}
