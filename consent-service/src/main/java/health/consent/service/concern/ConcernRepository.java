package health.consent.service.concern;

import health.consent.service.db.Db;
import health.consent.service.db.Paging;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Patients' ethics concerns and the regulators' answers: {@code concern}. */
@Singleton
public class ConcernRepository {

    private static final String SELECT = "SELECT id, patient_id, application_id, category, text, status, answer, "
            + "filed_by, answered_by, created_at, updated_at FROM concern";

    private final Db db;

    public ConcernRepository(Db db) {
        this.db = db;
    }

    /** A concern as stored. */
    public record Concern(String id, String patientId, String applicationId, ConcernCategory category, String text,
                          ConcernStatus status, String answer, String filedBy, String answeredBy, Instant createdAt,
                          Instant updatedAt) {
    }

    public void insert(Concern c) {
        db.update("INSERT INTO concern (id, patient_id, application_id, category, text, status, answer, filed_by, "
                + "answered_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", c.id(), c.patientId(),
                c.applicationId(), c.category().name(), c.text(), c.status().name(), c.answer(), c.filedBy(),
                c.answeredBy(), c.createdAt(), c.updatedAt());
    }

    /** The concern, locked until the transaction ends. */
    public Optional<Concern> lock(String id) {
        return db.one(SELECT + " WHERE id = ? FOR UPDATE", ConcernRepository::concern, id);
    }

    public void update(String id, ConcernStatus status, String answer, String answeredBy, Instant at) {
        db.update("UPDATE concern SET status = ?, answer = ?, answered_by = ?, updated_at = ? WHERE id = ?",
                status.name(), answer, answeredBy, at, id);
    }

    /** A patient's concerns, newest first. */
    public List<Concern> ofPatient(String patientId, Paging.Request page) {
        return db.list(SELECT + " WHERE patient_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                ConcernRepository::concern, patientId, page.size(), page.offset());
    }

    public long countOfPatient(String patientId) {
        return db.count("SELECT COUNT(*) FROM concern WHERE patient_id = ?", patientId);
    }

    /** Concerns for the regulators, oldest first (the order of triage), optionally by status and application. */
    public List<Concern> find(ConcernStatus status, String applicationId, Paging.Request page) {
        List<Object> params = new ArrayList<>();
        String where = where(status, applicationId, params);
        params.add(page.size());
        params.add(page.offset());
        return db.list(SELECT + where + " ORDER BY created_at, id LIMIT ? OFFSET ?", ConcernRepository::concern,
                params.toArray());
    }

    public long count(ConcernStatus status, String applicationId) {
        List<Object> params = new ArrayList<>();
        return db.count("SELECT COUNT(*) FROM concern" + where(status, applicationId, params), params.toArray());
    }

    private static String where(ConcernStatus status, String applicationId, List<Object> params) {
        List<String> conditions = new ArrayList<>();
        if (status != null) {
            conditions.add("status = ?");
            params.add(status.name());
        }
        if (applicationId != null) {
            conditions.add("application_id = ?");
            params.add(applicationId);
        }
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    private static Concern concern(ResultSet rs) throws SQLException {
        return new Concern(rs.getString("id"), rs.getString("patient_id"), rs.getString("application_id"),
                ConcernCategory.valueOf(rs.getString("category")), rs.getString("text"),
                ConcernStatus.valueOf(rs.getString("status")), rs.getString("answer"), rs.getString("filed_by"),
                rs.getString("answered_by"), Db.instant(rs, "created_at"), Db.instant(rs, "updated_at"));
    }
}
