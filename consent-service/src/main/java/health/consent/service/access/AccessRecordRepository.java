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
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
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

    /** A page of the records matching some filters, newest first, and how many match in all. */
    public record Found(List<AccessRecord> items, long total) {
    }

    /**
     * The records matching the filters, newest first (by time, then id), a page of them, and how
     * many match in all. On the log partitioned by month, the matching records are first counted
     * month by month (the same index entries a count reads), and the page is then read only from
     * the months it falls in: one month or two for most patients, rather than a descent into
     * every month's index. Call inside a transaction.
     */
    public Found find(Filters filters, Paging.Request page) {
        Filters.Where where = where(filters);
        if (!partitionedOnce()) {
            return new Found(read(where, page, null),
                    db.count("SELECT COUNT(*) FROM access_record WHERE " + where.sql(), where.params().toArray()));
        }
        List<MonthCount> months = db.list("SELECT date_trunc('month', at AT TIME ZONE 'UTC'), COUNT(*) FROM access_record "
                        + "WHERE " + where.sql() + " GROUP BY 1 ORDER BY 1 DESC",
                rs -> new MonthCount(rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC), rs.getLong(2)),
                where.params().toArray());
        long needed = page.offset() + page.size();
        long total = 0;
        Instant since = null;
        for (MonthCount month : months) {
            total += month.records();
            if (since == null && total >= needed) {
                // The records of this month and after, newest first, hold the whole page.
                since = month.start();
            }
        }
        return new Found(page.offset() >= total ? List.of() : read(where, page, since), total);
    }

    /** How many records match in the month that begins at {@code start} (UTC). */
    private record MonthCount(Instant start, long records) {
    }

    /** A page of the records matching the conditions, newest first, only those at or after {@code since} if given. */
    private List<AccessRecord> read(Filters.Where where, Paging.Request page, Instant since) {
        List<Object> params = new ArrayList<>(where.params());
        String sql = where.sql();
        if (since != null) {
            sql += " AND at >= ?";
            params.add(since);
        }
        params.add(page.size());
        params.add(page.offset());
        return db.list(SELECT + " WHERE " + sql + " ORDER BY at DESC, id LIMIT ? OFFSET ?",
                AccessRecordRepository::record, params.toArray());
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

    /**
     * Records where the records went in the audit log: rows of [leaf index, application id, record
     * id, at]. On the partitioned log the time is part of the key and picks the month's partition,
     * rather than probing each; elsewhere the key is (application id, record id) alone, and a
     * condition on the time would only tempt the planner into the (application, at) index, which
     * a burst of records dated the same second makes slow.
     */
    public void logged(List<Object[]> leafAndKey) {
        if (leafAndKey.isEmpty()) {
            return;
        }
        if (!db.isPostgres()) {
            db.batch("UPDATE access_record SET leaf_index = ? WHERE application_id = ? AND id = ?",
                    leafAndKey.stream().map(r -> new Object[] {r[0], r[1], r[2]}).toList());
        } else if (partitionedOnce()) {
            List<Object[]> rows = leafAndKey.stream().map(r -> new Object[] {r[0], r[1], r[2], r[3].toString()}).toList();
            db.update("UPDATE access_record a SET leaf_index = u.leaf FROM unnest(?::bigint[], ?::varchar[], "
                    + "?::varchar[], ?::timestamptz[]) AS u(leaf, app, id, at) "
                    + "WHERE a.application_id = u.app AND a.id = u.id AND a.at = u.at",
                    Db.column(rows, 0, "bigint"), Db.column(rows, 1, "varchar"), Db.column(rows, 2, "varchar"),
                    Db.column(rows, 3, "varchar"));
        } else {
            db.update("UPDATE access_record a SET leaf_index = u.leaf FROM unnest(?::bigint[], ?::varchar[], "
                    + "?::varchar[]) AS u(leaf, app, id) WHERE a.application_id = u.app AND a.id = u.id",
                    Db.column(leafAndKey, 0, "bigint"), Db.column(leafAndKey, 1, "varchar"),
                    Db.column(leafAndKey, 2, "varchar"));
        }
    }

    /** Whether the log is partitioned, asked once: only a migration, at start-up, changes it. */
    private boolean partitionedOnce() {
        Boolean known = partitioned;
        if (known == null) {
            known = partitioned();
            partitioned = known;
        }
        return known;
    }

    private volatile Boolean partitioned;

    // ---- retention: months, their partitions on PostgreSQL, and erasure ----

    /** True on PostgreSQL once the access log is partitioned by month (migration V12). */
    public boolean partitioned() {
        return db.isPostgres() && db.one("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                + "WHERE c.relname = 'access_record' AND c.relnamespace = current_schema()::regnamespace",
                rs -> 1).isPresent();
    }

    /** The partition of a month: {@code access_record_y2026m12}. */
    static String monthTable(YearMonth month) {
        return String.format("access_record_y%04dm%02d", month.getYear(), month.getMonthValue());
    }

    /** Creates the partition of a month if it does not exist; PostgreSQL, partitioned log only. */
    public void createMonth(YearMonth month) {
        db.update("SET LOCAL lock_timeout = '2s'");
        db.update("CREATE TABLE IF NOT EXISTS " + monthTable(month) + " PARTITION OF access_record FOR VALUES FROM ('"
                + month.atDay(1) + " 00:00:00+00') TO ('" + month.plusMonths(1).atDay(1) + " 00:00:00+00')");
    }

    /** The months that have a partition, oldest first. */
    public List<YearMonth> months() {
        return db.list("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        + "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'access_record' "
                        + "AND p.relnamespace = current_schema()::regnamespace AND c.relname ~ '^access_record_y[0-9]{4}m[0-9]{2}$' "
                        + "ORDER BY c.relname",
                rs -> {
                    String name = rs.getString(1);
                    return YearMonth.of(Integer.parseInt(name.substring(15, 19)), Integer.parseInt(name.substring(20, 22)));
                });
    }

    /**
     * Drops a month's partition, records and salts together, if every one of its records is in the
     * log and judged (leaf at most {@code judgedUpTo}); the log keeps their leaf hashes. Returns
     * how many records went, or -1 when the month must wait. Call inside a transaction.
     */
    public long dropMonth(YearMonth month, long judgedUpTo) {
        String table = monthTable(month);
        // Dropping a partition locks the whole log for a moment: give up rather than queue behind a long read.
        db.update("SET LOCAL lock_timeout = '2s'");
        if (db.one("SELECT to_regclass(?)", rs -> rs.getString(1), table).orElse(null) == null) {
            return 0; // Another instance dropped it first.
        }
        // No record can come into the month between the check and the drop.
        db.update("LOCK TABLE " + table + " IN SHARE MODE");
        boolean pending = db.one("SELECT 1 FROM " + table + " WHERE leaf_index IS NULL OR leaf_index > ? LIMIT 1",
                rs -> 1, judgedUpTo).isPresent();
        if (pending) {
            return -1;
        }
        long rows = db.count("SELECT COUNT(*) FROM " + table);
        db.update("DROP TABLE " + table);
        return rows;
    }

    /**
     * Erases up to {@code limit} records of a writer, with their salts, older than {@code before} that are in
     * the log and judged (leaf at most {@code judgedUpTo}); returns how many. The log keeps their
     * leaf hashes, so every other record's proof stays valid.
     */
    public int eraseBefore(String table, String application, Instant before, long judgedUpTo, int limit) {
        return db.update("DELETE FROM " + erasable(table) + " WHERE (application_id, id, at) IN (SELECT application_id, "
                + "id, at FROM " + erasable(table) + " WHERE application_id = ? AND at < ? AND leaf_index IS NOT NULL "
                + "AND leaf_index <= ? LIMIT " + limit + ")", application, before, judgedUpTo);
    }

    /** The tables retention deletes from: the whole log, or on PostgreSQL its default partition. */
    public static final String WHOLE_LOG = "access_record";
    public static final String DEFAULT_PARTITION = "access_record_default";

    private static String erasable(String table) {
        if (!WHOLE_LOG.equals(table) && !DEFAULT_PARTITION.equals(table)) {
            throw new IllegalArgumentException("not a table of the access log: " + table);
        }
        return table;
    }

    /**
     * Every application (or regulator) that has records, read from the primary key's index one
     * value at a time (a loose index scan): retention then finds each one's old records through
     * the (application, at) index instead of scanning the whole log.
     */
    public List<String> writers(String table) {
        String t = erasable(table);
        return db.list("WITH RECURSIVE w(a) AS (SELECT MIN(application_id) FROM " + t + " UNION ALL "
                + "SELECT (SELECT MIN(application_id) FROM " + t + " WHERE application_id > w.a) FROM w "
                + "WHERE w.a IS NOT NULL) SELECT a FROM w WHERE a IS NOT NULL", rs -> rs.getString(1));
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
