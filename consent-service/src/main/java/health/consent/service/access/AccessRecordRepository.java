package health.consent.service.access;

import health.consent.model.AccessRecord;
import health.consent.model.AccessorType;
import health.consent.model.ApplicationId;
import health.consent.model.Outcome;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.audit.AuditLeaves;
import health.consent.model.wire.AccessReport;
import health.consent.service.db.CopyRows;
import health.consent.service.db.Db;
import health.consent.service.db.Filters;
import health.consent.service.db.Paging;
import health.consent.service.db.Transactions;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

/** The access log's table, and every statement on it: {@code access_record}. */
@Singleton
public class AccessRecordRepository {

    private static final String COLUMNS = "id, accessor_type, application_id, patient_id, purpose, actor, "
            + "data_category, outcome, reason, at, received_at, salt";
    /**
     * The records' columns and each one's leaf in the audit log: its own {@code leaf_index} if it
     * was logged before batches (migration V14), else its batch's first leaf plus its position.
     */
    private static final String SELECT = "SELECT " + COLUMNS + ", COALESCE(leaf_index, (SELECT b.first_leaf + "
            + "access_record.leaf_position FROM access_batch b WHERE b.id = access_record.batch_id)) AS leaf_index "
            + "FROM access_record";
    /** The columns a new record is written in, by {@link #INSERT} and by {@link #COPY}. */
    private static final String WRITTEN = "(application_id, id, patient_id, purpose, actor, data_category, outcome, "
            + "at, received_at, salt, accessor_type, reason, batch_id, leaf_position)";
    private static final String INSERT = "INSERT INTO access_record " + WRITTEN + " ";
    /** The same columns from PostgreSQL's binary rows ({@link CopyRows}). */
    private static final String COPY = "COPY access_record " + WRITTEN + " FROM STDIN (FORMAT binary)";
    private static final int COPY_COLUMNS = 14;
    /** Bytes in a leaf hash (SHA-256). */
    private static final int HASH = 32;

    private final Db db;

    public AccessRecordRepository(Db db) {
        this.db = db;
    }

    /**
     * Stores what an application reported; a record id it already stored is not stored again.
     * Returns how many were new. Times are kept to the microsecond, as the database keeps them, so
     * that the leaf hashed here is the record read back.
     */
    public int insert(ApplicationId application, List<AccessReport> reports, Instant receivedAt) {
        List<AccessRecord> records = new ArrayList<>(reports.size());
        for (AccessReport r : reports) {
            records.add(new AccessRecord(r.id(), AccessorType.APPLICATION, application.value(), r.patientId(),
                    r.purpose(), r.actor(), r.dataCategory(), r.outcome(), null, r.at().truncatedTo(ChronoUnit.MICROS),
                    receivedAt, null, AuditLeaves.newSalt()));
        }
        return insertBatch(records, receivedAt);
    }

    /**
     * Stores records as one batch of the audit log: each with its position among those stored, and
     * one {@code access_batch} row with their leaf hashes, which the appender numbers as a whole.
     * Returns how many were stored (a record already stored is skipped, and takes no position). The
     * records of a batch share their writer, their arrival, their kind of accessor and reason.
     */
    private int insertBatch(List<AccessRecord> records, Instant receivedAt) {
        if (records.isEmpty()) {
            return 0;
        }
        long batch = db.count(db.isPostgres() ? "SELECT nextval('access_batch_seq')"
                : "SELECT NEXT VALUE FOR access_batch_seq");
        List<Integer> stored = db.isPostgres() ? insertAll(records, batch) : insertEach(records, batch);
        if (stored.isEmpty()) {
            return 0;
        }
        List<Object[]> moves = new ArrayList<>();
        byte[] hashes = new byte[stored.size() * HASH];
        for (int i = 0; i < stored.size(); i++) {
            int position = stored.get(i);
            if (position != i) {
                // Earlier records were already stored: close the gap, in ascending order (no two meet).
                moves.add(new Object[] {i, batch, position});
            }
            byte[] hash = AuditLeaves.accessRecordHash(records.get(position));
            System.arraycopy(hash, 0, hashes, i * HASH, HASH);
        }
        db.batch("UPDATE access_record SET leaf_position = ? WHERE batch_id = ? AND leaf_position = ?", moves);
        db.update("INSERT INTO access_batch (id, leaf_count, leaf_hashes, received_at) VALUES (?, ?, ?, ?)",
                batch, stored.size(), hashes, receivedAt);
        return stored.size();
    }

    private static Object[] row(AccessRecord r, long batch, int position) {
        return new Object[] {r.applicationId(), r.id(), r.patientId(), r.purpose(), r.actor(), r.dataCategory(),
            r.outcome(), r.at(), r.receivedAt(), r.salt(), r.accessorType(), r.reason(), batch, position};
    }

    /** The portable way: one statement a record, in a JDBC batch; returns the positions stored, in order. */
    private List<Integer> insertEach(List<AccessRecord> records, long batch) {
        List<Object[]> rows = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            rows.add(row(records.get(i), batch, i));
        }
        int[] changed = db.batch(INSERT + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows);
        return IntStream.range(0, changed.length).filter(i -> changed[i] != 0).boxed().toList();
    }

    /**
     * PostgreSQL: the whole batch by {@code COPY} (the rows in binary, no statement to plan per row,
     * the heap filled a page at a time), which answers the positions stored, in order. A batch sent
     * again fails that copy on its first record already stored; it is then inserted by one statement
     * that skips those, with what the records share (who wrote them, when they came, the reason of a
     * regulator's read) as one value and the rest as one array a column.
     */
    private List<Integer> insertAll(List<AccessRecord> records, long batch) {
        AccessRecord shared = records.get(0);
        // Records are new but when a batch is sent again: copied as they are, and checked for
        // those already stored only if the copy fails.
        CopyRows rows = copyRows(records, batch);
        db.update("SAVEPOINT new_records");
        try {
            long copied = db.copyIn(COPY, rows);
            db.update("RELEASE SAVEPOINT new_records");
            return IntStream.range(0, Math.toIntExact(copied)).boxed().toList();
        } catch (Db.DataAccessException e) {
            if (!Transactions.isUniqueViolation(e)) {
                throw e;
            }
            db.update("ROLLBACK TO SAVEPOINT new_records");
        }
        String[][] columns = new String[8][records.size()];
        for (int i = 0; i < records.size(); i++) {
            AccessRecord r = records.get(i);
            columns[0][i] = r.id();
            columns[1][i] = r.patientId();
            columns[2][i] = r.purpose() == null ? null : r.purpose().name();
            columns[3][i] = r.actor();
            columns[4][i] = r.dataCategory();
            columns[5][i] = r.outcome().name();
            columns[6][i] = r.at().toString();
            columns[7][i] = r.salt();
        }
        Object[] params = new Object[5 + columns.length];
        params[0] = shared.applicationId();
        params[1] = shared.receivedAt();
        params[2] = shared.accessorType();
        params[3] = shared.reason();
        params[4] = batch;
        for (int c = 0; c < columns.length; c++) {
            params[5 + c] = new Db.SqlArray("varchar", columns[c]);
        }
        String insert = INSERT + "SELECT ?, id, patient, purpose, actor, category, outcome, at::timestamptz, ?, salt, "
                + "?, ?, ?, (n - 1)::int FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], "
                + "?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[]) "
                + "WITH ORDINALITY AS u(id, patient, purpose, actor, category, outcome, at, salt, n) "
                + "ON CONFLICT DO NOTHING RETURNING leaf_position";
        List<Integer> stored = new ArrayList<>(db.list(insert, rs -> rs.getInt(1), params));
        java.util.Collections.sort(stored);
        return stored;
    }

    /** The records of a batch as {@link #COPY}'s rows, each with its batch and its position in it. */
    private static CopyRows copyRows(List<AccessRecord> records, long batch) {
        CopyRows rows = new CopyRows(records.size() * 320);
        for (int i = 0; i < records.size(); i++) {
            AccessRecord r = records.get(i);
            rows.row(COPY_COLUMNS).text(r.applicationId()).text(r.id()).text(r.patientId())
                    .text(r.purpose() == null ? null : r.purpose().name()).text(r.actor()).text(r.dataCategory())
                    .text(r.outcome().name()).timestamptz(r.at()).timestamptz(r.receivedAt()).text(r.salt())
                    .text(r.accessorType().name()).text(r.reason()).bigint(batch).integer(i);
        }
        return rows;
    }

    /** Records a regulator's read of these patients' data: one record per patient, in one batch. */
    public void insertRegulatorReads(String regulator, String actor, List<PatientId> patients, String category,
                                     String reason, Instant at) {
        List<AccessRecord> records = new ArrayList<>(patients.size());
        for (PatientId patient : patients) {
            records.add(new AccessRecord(UUID.randomUUID().toString(), AccessorType.REGULATOR, regulator, patient.value(),
                    null, actor, category, Outcome.PERMIT, reason, at, at, null, AuditLeaves.newSalt()));
        }
        insertBatch(records, at);
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
        java.util.Optional<AccessRecord> batched = db.one("SELECT id, first_leaf, leaf_count FROM access_batch "
                        + "WHERE first_leaf <= ? ORDER BY first_leaf DESC LIMIT 1",
                        rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}, leafIndex)
                .filter(b -> leafIndex < b[1] + b[2])
                .flatMap(b -> db.one(SELECT + " WHERE batch_id = ? AND leaf_position = ?", AccessRecordRepository::record,
                        b[0], (int) (leafIndex - b[1])));
        return batched.isPresent() ? batched
                : db.one(SELECT + " WHERE leaf_index = ?", AccessRecordRepository::record, leafIndex);
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

    /**
     * The records in the audit log after a leaf, in the log's order: first those logged one by one
     * before batches (migration V14), whose leaves all come before any batch's, then those of the
     * numbered batches from the one that holds the next leaf. The page is sized by the batches' counts
     * of leaves: after erased records (only judged ones are, at or below the findings pass's cursor)
     * it would come short, so call it past them, as the findings pass does.
     */
    public List<AccessRecord> loggedAfter(long leafIndex, int limit) {
        return loggedAfter(leafIndex, limit, null);
    }

    /**
     * The same, ending before the first batch received after {@code receivedBy} (null: no end):
     * the findings pass judges only records settled for a while, so the records of batches just
     * received are not read at every pass only to wait. A batch received earlier but numbered after
     * such a batch waits with it: the page stays a run of the log.
     */
    public List<AccessRecord> loggedAfter(long leafIndex, int limit, Instant receivedBy) {
        // The last leaf logged one by one is read from its index (an index-only descent): past it, the
        // reader does not ask for more, which a planner without statistics yet might seek by a scan.
        boolean older = db.count("SELECT COALESCE(MAX(leaf_index), -1) FROM access_record WHERE leaf_index IS NOT NULL")
                > leafIndex;
        List<AccessRecord> found = older ? new ArrayList<>(db.list(SELECT + " WHERE leaf_index > ? "
                + "ORDER BY access_record.leaf_index LIMIT " + limit, AccessRecordRepository::record, leafIndex))
                : new ArrayList<>();
        if (found.size() == limit) {
            return found;
        }
        // The batches that hold the next records, as many as the page needs, from the one holding the
        // leaf given (or the first): each after it holds at least one; it holds perhaps none after the leaf.
        record Numbered(long id, long firstLeaf, long count, boolean inTime) {
        }
        List<Numbered> batches = db.list("SELECT id, first_leaf, leaf_count, received_at FROM access_batch WHERE first_leaf >= "
                        + "COALESCE((SELECT MAX(first_leaf) FROM access_batch WHERE first_leaf <= ?), -1) "
                        + "ORDER BY first_leaf LIMIT " + (limit - found.size() + 1),
                rs -> new Numbered(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        receivedBy == null || !Db.instant(rs, "received_at").isAfter(receivedBy)), leafIndex);
        java.util.Map<Long, Long> firstLeaves = new java.util.HashMap<>();
        long wanted = limit - found.size();
        for (Numbered b : batches) {
            if (wanted <= 0) {
                break;
            }
            long after = Math.max(0, Math.min(b.count(), b.firstLeaf() + b.count() - 1 - leafIndex));
            if (after > 0) {
                if (!b.inTime()) {
                    break; // received too late: this batch and every one after it wait
                }
                firstLeaves.put(b.id(), b.firstLeaf());
                wanted -= after;
            }
        }
        // Their records by the batches' ids (an index scan), a thousand batches a statement: a join on
        // the range of leaves lets the planner choose a hash join over the whole log.
        List<Long> ids = new ArrayList<>(firstLeaves.keySet());
        List<AccessRecord> batched = new ArrayList<>();
        for (int at = 0; at < ids.size(); at += 1_000) {
            batched.addAll(db.list("SELECT " + COLUMNS + ", batch_id, leaf_position FROM access_record "
                            + "WHERE batch_id = ANY(?)",
                    rs -> record(rs, firstLeaves.get(rs.getLong("batch_id")) + rs.getInt("leaf_position")),
                    new Db.SqlArray("bigint", ids.subList(at, Math.min(ids.size(), at + 1_000)).toArray())));
        }
        batched.removeIf(r -> r.leafIndex() <= leafIndex);
        batched.sort(java.util.Comparator.comparingLong(AccessRecord::leafIndex));
        found.addAll(batched.subList(0, Math.min(batched.size(), limit - found.size())));
        return found;
    }

    /** How many records are not in the audit log yet. */
    public long countUnlogged() {
        return db.count("SELECT COALESCE(SUM(leaf_count), 0) FROM access_batch WHERE first_leaf IS NULL");
    }

    /** A batch of records not in the audit log yet: its id, and the leaf hashes of its records in order. */
    public record Batch(long id, int leafCount, byte[] leafHashes) {

        /** The leaf hash of the record at a position. */
        public byte[] leaf(int position) {
            return Arrays.copyOfRange(leafHashes, position * HASH, (position + 1) * HASH);
        }
    }

    /**
     * The oldest batches not in the audit log yet, in the order they were stored (their ids),
     * as many as start within {@code records} records: at least one when there is any.
     */
    public List<Batch> unloggedBatches(int records) {
        return db.list("SELECT id, leaf_count, leaf_hashes FROM (SELECT id, leaf_count, leaf_hashes, "
                        + "SUM(leaf_count) OVER (ORDER BY id) AS up_to FROM (SELECT id, leaf_count, leaf_hashes "
                        + "FROM access_batch WHERE first_leaf IS NULL ORDER BY id LIMIT ?) f) w "
                        + "WHERE up_to - leaf_count < ? ORDER BY id",
                rs -> {
                    Batch b = new Batch(rs.getLong(1), rs.getInt(2), rs.getBytes(3));
                    if (b.leafHashes() == null || b.leafHashes().length != b.leafCount() * HASH) {
                        throw new IllegalStateException("access batch " + b.id() + " does not hold one hash per record");
                    }
                    return b;
                }, Math.max(1, records), Math.max(1, records));
    }

    /**
     * Records where batches went in the audit log: rows of [first leaf, batch id]. Their hashes are
     * in the tree from now on, so the batch no longer keeps them.
     */
    public void numbered(List<Object[]> firstLeafAndBatch) {
        db.batch("UPDATE access_batch SET first_leaf = ?, leaf_hashes = NULL WHERE id = ?", firstLeafAndBatch);
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
        // The batches not all judged: those not numbered, those after the judged leaf, and the one
        // holding it; each found by an index, then probed in the month's batch index.
        boolean pending = db.one("SELECT 1 FROM " + table + " WHERE leaf_index > ? LIMIT 1", rs -> 1, judgedUpTo)
                .isPresent() || db.one("SELECT 1 FROM (SELECT id FROM access_batch WHERE first_leaf IS NULL "
                        + "UNION ALL SELECT id FROM access_batch WHERE first_leaf > ? "
                        + "UNION ALL SELECT id FROM access_batch WHERE first_leaf = (SELECT MAX(first_leaf) FROM access_batch "
                        + "WHERE first_leaf <= ?) AND first_leaf + leaf_count - 1 > ?) b "
                        + "WHERE EXISTS (SELECT 1 FROM " + table + " r WHERE r.batch_id = b.id) LIMIT 1",
                rs -> 1, judgedUpTo, judgedUpTo, judgedUpTo).isPresent();
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
                + "id, at FROM " + erasable(table) + " r WHERE application_id = ? AND at < ? AND (leaf_index <= ? OR "
                + "EXISTS (SELECT 1 FROM access_batch b WHERE b.id = r.batch_id AND b.first_leaf + r.leaf_position <= ?)) "
                + "LIMIT " + limit + ")", application, before, judgedUpTo, judgedUpTo);
    }

    /**
     * Deletes up to {@code limit} batches that come before the oldest batch any record still refers
     * to: all their records were erased at the end of their retention, and a batch row would
     * otherwise outlive them for ever. Batch ids grow with arrival, and retention erases by date, so
     * what goes is a prefix (two index descents and a range of the primary key; a batch that keeps
     * a record longer than those after it holds them back until it goes). Only batches in the log and
     * judged go (leaves at most {@code judgedUpTo}): the log keeps their leaf hashes, and a leaf with
     * no batch has no record, as a leaf whose record was erased. Returns how many went.
     */
    public int pruneBatches(long judgedUpTo, int limit) {
        long oldest = db.one("SELECT MIN(batch_id) FROM access_record", rs -> {
            long id = rs.getLong(1);
            return rs.wasNull() ? -1L : id;
        }).orElse(-1L);
        if (oldest < 0) {
            return 0; // No record in a batch: nothing tells which batches were emptied.
        }
        return db.update("DELETE FROM access_batch WHERE id IN (SELECT id FROM access_batch WHERE id < ? "
                + "AND first_leaf IS NOT NULL AND first_leaf + leaf_count - 1 <= ? ORDER BY id LIMIT " + limit + ")",
                oldest, judgedUpTo);
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

    /** A record as {@link #SELECT} reads it. */
    private static AccessRecord record(ResultSet rs) throws SQLException {
        return record(rs, rs.getObject("leaf_index", Long.class));
    }

    /** A record read with the columns of {@link #SELECT} but its leaf, given here. */
    private static AccessRecord record(ResultSet rs, Long leafIndex) throws SQLException {
        String purpose = rs.getString("purpose");
        return new AccessRecord(rs.getString("id"), AccessorType.valueOf(rs.getString("accessor_type")),
                rs.getString("application_id"), rs.getString("patient_id"),
                purpose == null ? null : Purpose.valueOf(purpose), rs.getString("actor"), rs.getString("data_category"),
                Outcome.valueOf(rs.getString("outcome")), rs.getString("reason"), Db.instant(rs, "at"),
                Db.instant(rs, "received_at"), leafIndex, rs.getString("salt"));
    }
}
