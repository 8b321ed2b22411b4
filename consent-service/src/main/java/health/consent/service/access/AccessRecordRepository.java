package health.consent.service.access;

import health.consent.model.AccessRecord;
import health.consent.model.AccessorType;
import health.consent.model.ApplicationId;
import health.consent.model.Outcome;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.audit.AuditLeaves;
import health.consent.model.wire.AccessReport;
import health.consent.service.db.Db;
import health.consent.service.db.Filters;
import health.consent.service.db.Paging;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

/** The access log's table, and every statement on it: {@code access_record}. */
@Singleton
public class AccessRecordRepository {

    private static final String SELECT = "SELECT id, leaf_index, accessor_type, application_id, patient_id, purpose, "
            + "actor, data_category, outcome, reason, at, received_at, salt FROM access_record";
    private static final int COLUMNS = 10;

    private final Db db;

    public AccessRecordRepository(Db db) {
        this.db = db;
    }

    /** Stores what an application reported; a record id it already stored is not stored again. Returns how many were new. */
    public int insert(ApplicationId application, List<AccessReport> reports, Instant receivedAt) {
        List<Object[]> rows = new ArrayList<>(reports.size());
        for (AccessReport r : reports) {
            rows.add(new Object[] {application.value(), r.id(), r.patientId(), r.purpose(), r.actor(),
                    r.dataCategory(), r.outcome(), r.at(), receivedAt, AuditLeaves.newSalt()});
        }
        return db.isPostgres() ? insertAll(rows) : Arrays.stream(db.batch(
                "INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, outcome, at, "
                        + "received_at, salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows))
                .map(c -> c > 0 ? 1 : 0).sum();
    }

    /** PostgreSQL: the whole batch in one statement; it answers how many rows were new. */
    private int insertAll(List<Object[]> rows) {
        Object[][] columns = new Object[COLUMNS][rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            Object[] row = rows.get(r);
            for (int c = 0; c < COLUMNS; c++) {
                Object v = row[c];
                columns[c][r] = v instanceof Enum<?> e ? e.name() : v instanceof Instant t ? t.toString() : v;
            }
        }
        return db.update("INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, "
                        + "outcome, at, received_at, salt) SELECT app, id, patient, purpose, actor, category, outcome, "
                        + "at::timestamptz, received::timestamptz, salt FROM unnest(?::varchar[], ?::varchar[], "
                        + "?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], "
                        + "?::varchar[], ?::varchar[]) "
                        + "AS u(app, id, patient, purpose, actor, category, outcome, at, received, salt) ON CONFLICT DO NOTHING",
                IntStream.range(0, COLUMNS).mapToObj(c -> new Db.SqlArray("varchar", columns[c])).toArray());
    }

    /** Stores a regulator's read of a patient's data: the patient sees it in their log. */
    /** Records a regulator's read of these patients' data: one record per patient, in one statement. */
    public void insertRegulatorReads(String regulator, String actor, List<PatientId> patients, String category,
                                     String reason, Instant at) {
        List<Object[]> rows = new ArrayList<>(patients.size());
        for (PatientId patient : patients) {
            rows.add(new Object[] {regulator, UUID.randomUUID().toString(), patient.value(), actor, category,
                Outcome.PERMIT.name(), at, at, reason, AuditLeaves.newSalt()});
        }
        db.batch("INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, outcome, "
                + "at, received_at, accessor_type, reason, salt) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, 'REGULATOR', ?, ?)",
                rows);
    }

    /** The records matching the filters, newest first. */
    public List<AccessRecord> find(Filters filters, Paging.Request page) {
        Filters.Where where = where(filters);
        List<Object> params = new ArrayList<>(where.params());
        params.add(page.size());
        params.add(page.offset());
        return db.list(SELECT + " WHERE " + where.sql() + " ORDER BY at DESC, id LIMIT ? OFFSET ?",
                AccessRecordRepository::record, params.toArray());
    }

    public long count(Filters filters) {
        Filters.Where where = where(filters);
        return db.count("SELECT COUNT(*) FROM access_record WHERE " + where.sql(), where.params().toArray());
    }

    /** The record at a leaf of the audit log, if that leaf is an access record. */
    public java.util.Optional<AccessRecord> atLeaf(long leafIndex) {
        return db.one(SELECT + " WHERE leaf_index = ?", AccessRecordRepository::record, leafIndex);
    }

    /** A patient's records after a position (time, then id), oldest first: the export reads them page by page. */
    public List<AccessRecord> ofPatientAfter(PatientId patient, Instant afterAt, String afterId, int limit) {
        if (afterAt == null) {
            return db.list(SELECT + " WHERE patient_id = ? ORDER BY at, id LIMIT " + limit, AccessRecordRepository::record,
                    patient);
        }
        return db.list(SELECT + " WHERE patient_id = ? AND (at > ? OR (at = ? AND id > ?)) ORDER BY at, id LIMIT " + limit,
                AccessRecordRepository::record, patient, afterAt, afterAt, afterId);
    }

    /** The records in the audit log after a leaf, in the log's order. */
    public List<AccessRecord> loggedAfter(long leafIndex, int limit) {
        return db.list(SELECT + " WHERE leaf_index > ? ORDER BY leaf_index LIMIT " + limit,
                AccessRecordRepository::record, leafIndex);
    }

    /** How many records are not in the audit log yet. */
    public long countUnlogged() {
        return db.count("SELECT COUNT(*) FROM access_record WHERE leaf_index IS NULL");
    }

    /** The oldest records not yet in the audit log, in the order they were received. */
    public List<AccessRecord> unlogged(int limit) {
        return db.list(SELECT + " WHERE leaf_index IS NULL ORDER BY received_at, application_id, id LIMIT " + limit,
                AccessRecordRepository::record);
    }

    /** Records where the records went in the audit log: triples of [leaf index, application id, record id]. */
    public void logged(List<Object[]> leafAndKey) {
        if (leafAndKey.isEmpty()) {
            return;
        }
        if (db.isPostgres()) {
            db.update("UPDATE access_record a SET leaf_index = u.leaf FROM unnest(?::bigint[], ?::varchar[], "
                    + "?::varchar[]) AS u(leaf, app, id) WHERE a.application_id = u.app AND a.id = u.id",
                    Db.column(leafAndKey, 0, "bigint"), Db.column(leafAndKey, 1, "varchar"),
                    Db.column(leafAndKey, 2, "varchar"));
        } else {
            db.batch("UPDATE access_record SET leaf_index = ? WHERE application_id = ? AND id = ?", leafAndKey);
        }
    }

    private static Filters.Where where(Filters filters) {
        return filters.where("application_id", "patient_id", "purpose", "at");
    }

    private static AccessRecord record(ResultSet rs) throws SQLException {
        String purpose = rs.getString("purpose");
        return new AccessRecord(rs.getString("id"), AccessorType.valueOf(rs.getString("accessor_type")),
                rs.getString("application_id"), rs.getString("patient_id"),
                purpose == null ? null : Purpose.valueOf(purpose), rs.getString("actor"), rs.getString("data_category"),
                Outcome.valueOf(rs.getString("outcome")), rs.getString("reason"), Db.instant(rs, "at"),
                Db.instant(rs, "received_at"), rs.getObject("leaf_index", Long.class), rs.getString("salt"));
    }
}
