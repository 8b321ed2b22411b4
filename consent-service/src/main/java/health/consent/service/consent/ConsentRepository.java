package health.consent.service.consent;

import health.consent.model.ActorType;
import health.consent.model.Channel;
import health.consent.model.ConsentState;
import health.consent.model.Purpose;
import health.consent.service.consent.ConsentViews.ConsentEvent;
import health.consent.service.consent.ConsentViews.DecidedBy;
import health.consent.service.db.Db;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The consent tables: current state, and the append-only events it is derived from. */
@Singleton
public class ConsentRepository {

    /** A stored decision. */
    public record Stored(String applicationId, Purpose purpose, ConsentState state, int noticeVersion, long version,
                         Instant updatedAt) {
    }

    /** An event to append. */
    public record NewEvent(String patientId, String applicationId, Purpose purpose, ConsentState state,
                           ConsentState previousState, int noticeVersion, ActorType actorType, String actorId,
                           Channel channel, Long causeSeq, Instant at) {
    }

    private static final String SELECT_STORED =
            "SELECT application_id, purpose, state, notice_version, version, updated_at FROM consent";
    private static final String SELECT_EVENTS = "SELECT seq, application_id, purpose, state, previous_state, "
            + "notice_version, actor_type, actor_id, channel, cause_seq, at FROM consent_event";

    private final Db db;

    public ConsentRepository(Db db) {
        this.db = db;
    }

    public List<Stored> forPatient(String patientId) {
        return db.list(SELECT_STORED + " WHERE patient_id = ?", ConsentRepository::stored, patientId);
    }

    /**
     * The patient's decisions for one application, locked until the transaction ends, so that a
     * secondary grant and a withdrawal of CARE cannot interleave.
     */
    public List<Stored> lockForApplication(String patientId, String applicationId) {
        return db.list(SELECT_STORED + " WHERE patient_id = ? AND application_id = ? FOR UPDATE",
                ConsentRepository::stored, patientId, applicationId);
    }

    public void insert(String patientId, String applicationId, Purpose purpose, ConsentState state, int noticeVersion,
                       Instant at) {
        db.update("INSERT INTO consent (patient_id, application_id, purpose, state, notice_version, version, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, 1, ?)", patientId, applicationId, purpose, state, noticeVersion, at);
    }

    /** Updates a decision if it still has {@code expectedVersion}; false if someone changed it meanwhile. */
    public boolean update(String patientId, String applicationId, Purpose purpose, ConsentState state,
                          int noticeVersion, long expectedVersion, Instant at) {
        return db.update("UPDATE consent SET state = ?, notice_version = ?, version = version + 1, updated_at = ? "
                        + "WHERE patient_id = ? AND application_id = ? AND purpose = ? AND version = ?",
                state, noticeVersion, at, patientId, applicationId, purpose, expectedVersion) == 1;
    }

    public long append(NewEvent e) {
        return db.insert("INSERT INTO consent_event (patient_id, application_id, purpose, state, previous_state, "
                        + "notice_version, actor_type, actor_id, channel, cause_seq, at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "seq",
                e.patientId(), e.applicationId(), e.purpose(), e.state(), e.previousState(), e.noticeVersion(),
                e.actorType(), e.actorId(), e.channel(), e.causeSeq(), e.at());
    }

    /** The patient's events, newest first. */
    public List<ConsentEvent> history(String patientId, int limit, long offset) {
        return db.list(SELECT_EVENTS + " WHERE patient_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?",
                ConsentRepository::event, patientId, limit, offset);
    }

    public long countHistory(String patientId) {
        return db.count("SELECT COUNT(*) FROM consent_event WHERE patient_id = ?", patientId);
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        return new Stored(rs.getString("application_id"), Purpose.valueOf(rs.getString("purpose")),
                ConsentState.valueOf(rs.getString("state")), rs.getInt("notice_version"), rs.getLong("version"),
                Db.instant(rs, "updated_at"));
    }

    private static ConsentEvent event(ResultSet rs) throws SQLException {
        long cause = rs.getLong("cause_seq");
        Long causeSeq = rs.wasNull() ? null : cause;
        return new ConsentEvent(rs.getLong("seq"), rs.getString("application_id"),
                Purpose.valueOf(rs.getString("purpose")), ConsentState.valueOf(rs.getString("state")),
                ConsentState.valueOf(rs.getString("previous_state")), rs.getInt("notice_version"),
                new DecidedBy(ActorType.valueOf(rs.getString("actor_type")), rs.getString("actor_id")),
                Channel.valueOf(rs.getString("channel")), causeSeq, Db.instant(rs, "at"));
    }
}
