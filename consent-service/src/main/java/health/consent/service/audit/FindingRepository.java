package health.consent.service.audit;

import health.consent.model.compliance.FindingKind;
import health.consent.service.db.Db;
import health.consent.service.db.Paging;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The regulators' findings and the findings pass's position: {@code finding}, {@code finding_cursor}. */
@Singleton
public class FindingRepository {

    private static final String SELECT = "SELECT id, kind, application_id, patient_id, purpose, record_id, record_leaf, "
            + "event_leaves, consent_reason, detail, at, found_at FROM finding";

    private final Db db;

    public FindingRepository(Db db) {
        this.db = db;
    }

    /** A consent event named by a finding: its number in the history and its leaf in the log. */
    public record EventRef(long seq, long leafIndex) {
    }

    /** One finding as stored. */
    public record Finding(long id, FindingKind kind, String applicationId, String patientId, String purpose,
                          String recordId, long recordLeaf, List<EventRef> events, String consentReason, String detail,
                          Instant at, Instant foundAt) {
    }

    /** What a regulator asks: each filter may be null. */
    public record Query(String applicationId, FindingKind kind, Instant from, Instant to) {
    }

    /**
     * The last leaf judged, locked until the transaction ends (one pass at a time across instances).
     * On PostgreSQL the transaction commits without waiting for its WAL to reach the disk: findings
     * are derived from the trail, and a crash that loses the last commits loses the cursor's move
     * with them, so those records are judged again.
     */
    public long lockCursor() {
        if (db.isPostgres()) {
            db.update("SET LOCAL synchronous_commit TO OFF");
        }
        return db.one("SELECT last_leaf FROM finding_cursor WHERE id = 1 FOR UPDATE", rs -> rs.getLong(1)).orElseThrow();
    }

    /** The last leaf judged, read without a lock: every leaf up to it has been judged. */
    public long judgedUpTo() {
        return db.one("SELECT last_leaf FROM finding_cursor WHERE id = 1", rs -> rs.getLong(1)).orElse(-1L);
    }

    public void moveCursor(long lastLeaf) {
        db.update("UPDATE finding_cursor SET last_leaf = ? WHERE id = 1", lastLeaf);
    }

    public void insert(List<Finding> findings) {
        if (findings.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>(findings.size());
        for (Finding f : findings) {
            rows.add(new Object[] {f.kind().name(), f.applicationId(), f.patientId(), f.purpose(), f.recordId(),
                f.recordLeaf(), events(f.events()), f.consentReason(), f.detail(), f.at(), f.foundAt()});
        }
        db.batch("INSERT INTO finding (kind, application_id, patient_id, purpose, record_id, record_leaf, event_leaves, "
                + "consent_reason, detail, at, found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
    }

    /** The findings matching the query, newest access first. */
    public List<Finding> find(Query query, Paging.Request page) {
        List<Object> params = new ArrayList<>();
        String where = where(query, params);
        params.add(page.size());
        params.add(page.offset());
        return db.list(SELECT + where + " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?", FindingRepository::finding,
                params.toArray());
    }

    /** How many findings match, counted up to {@code cap + 1} at most (a count is an index scan of them all). */
    public long count(Query query, long cap) {
        List<Object> params = new ArrayList<>();
        String where = where(query, params);
        params.add(cap + 1);
        return db.count("SELECT COUNT(*) FROM (SELECT 1 FROM finding" + where + " LIMIT ?) matching", params.toArray());
    }

    private static String where(Query query, List<Object> params) {
        List<String> conditions = new ArrayList<>();
        if (query.applicationId() != null) {
            conditions.add("application_id = ?");
            params.add(query.applicationId());
        }
        if (query.kind() != null) {
            conditions.add("kind = ?");
            params.add(query.kind().name());
        }
        if (query.from() != null) {
            conditions.add("at >= ?");
            params.add(query.from());
        }
        if (query.to() != null) {
            conditions.add("at < ?");
            params.add(query.to());
        }
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    private static String events(List<EventRef> events) {
        return String.join(",", events.stream().map(e -> e.seq() + ":" + e.leafIndex()).toList());
    }

    private static Finding finding(ResultSet rs) throws SQLException {
        String stored = rs.getString("event_leaves");
        List<EventRef> events = stored.isEmpty() ? List.of() : Arrays.stream(stored.split(","))
                .map(pair -> pair.split(":"))
                .map(pair -> new EventRef(Long.parseLong(pair[0]), Long.parseLong(pair[1])))
                .toList();
        return new Finding(rs.getLong("id"), FindingKind.valueOf(rs.getString("kind")), rs.getString("application_id"),
                rs.getString("patient_id"), rs.getString("purpose"), rs.getString("record_id"),
                rs.getLong("record_leaf"), events, rs.getString("consent_reason"), rs.getString("detail"),
                Db.instant(rs, "at"), Db.instant(rs, "found_at"));
    }
}
