package health.consent.service.consent;

import health.consent.model.ActorType;
import health.consent.model.ApplicationId;
import health.consent.model.Channel;
import health.consent.model.ConsentEvent;
import health.consent.model.ConsentState;
import health.consent.model.DecidedBy;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.PurposeConsent;
import health.consent.model.audit.AuditLeaves;
import health.consent.service.db.Db;
import health.consent.service.db.Filters;
import health.consent.service.db.Paging;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The consent tables, and every statement on them: {@code consent} (the current decisions) and
 * {@code consent_event} (the append-only events they are derived from).
 */
@Singleton
public class ConsentRepository {

    /** A stored decision, with the application it is about. */
    public record Stored(ApplicationId application, PurposeConsent consent) {
    }

    /** A patient's grant of a purpose, at a notice version: what a cohort is decided from. */
    public record Grant(String patientId, Purpose purpose, int noticeVersion) {
    }

    private static final String SELECT_STORED =
            "SELECT application_id, purpose, state, notice_version, version, updated_at, expires_at FROM consent";
    private static final String SELECT_EVENTS = "SELECT seq, leaf_index, patient_id, application_id, purpose, state, "
            + "previous_state, notice_version, actor_type, actor_id, channel, cause_seq, at, salt, expires_at FROM consent_event";

    private final Db db;

    public ConsentRepository(Db db) {
        this.db = db;
    }

    public List<Stored> forPatient(PatientId patient) {
        return db.list(SELECT_STORED + " WHERE patient_id = ?",
                rs -> new Stored(ApplicationId.of(rs.getString("application_id")), consent(rs)), patient);
    }

    /** The patient's decisions for one application. */
    public List<PurposeConsent> forApplication(PatientId patient, ApplicationId application) {
        return db.list(SELECT_STORED + " WHERE patient_id = ? AND application_id = ?", ConsentRepository::consent,
                patient, application);
    }

    /** A patient and an application: whose decisions a change locks. */
    public record Key(PatientId patient, ApplicationId application) {
    }

    /**
     * The decisions of each (patient, application), locked until the transaction ends (so that a
     * secondary grant and a withdrawal of CARE cannot interleave), in one statement: rows are locked
     * in the order of their key, so that two transactions locking overlapping groups wait for each
     * other rather than deadlock. Keys without a decision map to an empty list.
     */
    public Map<Key, List<PurposeConsent>> lockForApplications(Collection<Key> keys) {
        Map<Key, List<PurposeConsent>> locked = new HashMap<>();
        db.list(lock(keys, locked));
        return locked;
    }

    /** The decisions locked, and the rows of another read made in the same round trip (PostgreSQL). */
    public record Locked<T>(Map<Key, List<PurposeConsent>> decisions, List<T> alongside) {
    }

    /**
     * {@link #lockForApplications}, and {@code alongside} (a read of another table, which takes no
     * lock) sent with it: on PostgreSQL in one round trip.
     */
    public <T> Locked<T> lockForApplications(Collection<Key> keys, Db.Read<T> alongside) {
        Map<Key, List<PurposeConsent>> locked = new HashMap<>();
        return new Locked<>(locked, db.both(lock(keys, locked), alongside).second());
    }

    /**
     * The locking read of {@link #lockForApplications}, each row added to its key's list in
     * {@code locked}. On PostgreSQL the keys go as two arrays, so that the statement has one text
     * whatever their number and is planned once for all: the server plans a statement with a list
     * of parameters again at every run, as soon as its plan for any values seems dearer than its
     * plans for the values given (with the keys as a list of {@code (?, ?)}, planning took more of
     * the committer's backend than running, BENCHMARKS.md, "Cores left idle by the consent
     * changes"); for an array it assumes ten elements, fewer than a group usually has, and keeps
     * its plan for any values. On H2 a list, padded to a power of two ({@link Db#padToPowerOfTwo}).
     */
    private Db.Read<Void> lock(Collection<Key> keys, Map<Key, List<PurposeConsent>> locked) {
        for (Key k : keys) {
            locked.put(k, new ArrayList<>());
        }
        List<Object[]> pairs = keys.stream().map(k -> new Object[] {k.patient(), k.application()}).toList();
        String sql;
        Object[] params;
        if (db.isPostgres()) {
            sql = LOCK_BY_ARRAYS;
            params = Db.textColumns(pairs);
        } else {
            List<Object> list = new ArrayList<>(keys.size() * 2);
            pairs.forEach(pair -> list.addAll(List.of(pair)));
            int slots = Db.padToPowerOfTwo(list, 2);
            sql = lockQuery("(patient_id, application_id) IN ("
                    + String.join(", ", java.util.Collections.nCopies(slots, "(?, ?)")) + ")");
            params = list.toArray();
        }
        return new Db.Read<>(sql, rs -> {
            locked.get(new Key(PatientId.of(rs.getString(1)), ApplicationId.of(rs.getString(2)))).add(consent(rs));
            return null;
        }, params);
    }

    /** The decisions' lock on PostgreSQL: two parameters, the keys' patients and applications (text arrays). */
    public static final String LOCK_BY_ARRAYS = lockQuery(
            "(patient_id, application_id) IN (SELECT p, a FROM unnest(?::varchar[], ?::varchar[]) AS k(p, a))");

    private static String lockQuery(String keyed) {
        return "SELECT patient_id, application_id, purpose, state, notice_version, version, updated_at, expires_at "
                + "FROM consent WHERE " + keyed + " ORDER BY patient_id, application_id, purpose FOR UPDATE";
    }

    /** A decision's next version: {@code before} as read under the lock (version 0 when nothing was stored). */
    public record Save(PatientId patient, ApplicationId application, PurposeConsent before, PurposeConsent after) {
    }

    /**
     * Stores decisions' next versions ({@code saves}) and appends their events, in one transaction
     * (the caller's), and returns the events as stored (numbered). Each decision is written once,
     * with the last of its versions: a decision changed twice in the group (a patient's second change
     * applied to the state after the first) is written from the version read under the lock to the
     * last; each version must follow the one before it. The new rows go in the order of their key
     * (as {@link #lockForApplications} locks, so that two transactions inserting the same first
     * decisions wait for each other rather than deadlock). An update that finds its row moved fails
     * the whole transaction. Each event has a new salt; its {@code cause} is given as the index, in
     * {@code events}, of the event that caused it ({@code causeIndex}, -1 for none).
     *
     * <p>On PostgreSQL the decisions and the events are written by one statement, in one round trip
     * where there were two (three when a group has both new and updated decisions); on a busy
     * machine each round trip is a wake-up on either side that waits for a core, while the other
     * writers wait for this transaction (BENCHMARKS.md, "Cores left idle by the consent changes").
     */
    public List<ConsentEvent> saveAndAppend(List<Save> saves, List<ConsentEvent> events, int[] causeIndex) {
        Decisions decisions = decisions(saves);
        List<String> salts = new ArrayList<>(events.size());
        List<Object[]> rows = eventRows(events, salts);
        long[] seqs;
        if (db.isPostgres() && !rows.isEmpty()) {
            seqs = writeAllAtOnce(decisions, rows, salts);
        } else {
            save(decisions);
            seqs = rows.isEmpty() ? new long[0] : db.insertAll(INSERT_EVENT, "seq", rows);
        }
        return stored(events, causeIndex, seqs, salts);
    }

    /** A group's decisions to write: the new rows, in the order of their keys, and the updates. */
    private record Decisions(List<Object[]> inserts, List<Object[]> updates) {
    }

    private static Decisions decisions(List<Save> saves) {
        Map<List<Object>, Save[]> firstAndLast = new java.util.LinkedHashMap<>();
        for (Save s : saves) {
            Save[] known = firstAndLast.putIfAbsent(List.of(s.patient(), s.application(), s.after().purpose()),
                    new Save[] {s, s});
            if (known != null) {
                if (known[1].after().version() != s.before().version()) {
                    throw new IllegalStateException("a decision's versions do not follow each other in one group");
                }
                known[1] = s;
            }
        }
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        for (Save[] fl : firstAndLast.values()) {
            Save first = fl[0];
            PurposeConsent after = fl[1].after();
            if (!first.before().isSet()) {
                inserts.add(new Object[] {first.patient(), first.application(), after.purpose(), after.state(),
                        after.noticeVersion(), after.version(), after.updatedAt(), after.expiresAt()});
            } else {
                updates.add(new Object[] {after.state(), after.noticeVersion(), after.version(), after.updatedAt(),
                        after.expiresAt(), first.patient(), first.application(), after.purpose(),
                        first.before().version()});
            }
        }
        inserts.sort(java.util.Comparator.comparing((Object[] row) -> ((PatientId) row[0]).value())
                .thenComparing(row -> ((ApplicationId) row[1]).value()).thenComparing(row -> ((Purpose) row[2]).name()));
        return new Decisions(inserts, updates);
    }

    /** The decisions alone: the new rows in one statement or batch, then the updates. */
    private void save(Decisions decisions) {
        db.writeAll(INSERT_CONSENT, INSERT_CONSENTS, decisions.inserts());
        List<Object[]> updates = decisions.updates();
        if (db.isPostgres()) {
            if (!updates.isEmpty() && db.update(UPDATE_CONSENTS, Db.textColumns(updates)) != updates.size()) {
                throw movedRow();
            }
            return;
        }
        for (int changed : db.batch(UPDATE_CONSENT, updates)) {
            // JDBC may answer SUCCESS_NO_INFO (-2) for a batched statement; any other count than one is a moved row.
            if (changed != 1 && changed != java.sql.Statement.SUCCESS_NO_INFO) {
                throw movedRow();
            }
        }
    }

    private static IllegalStateException movedRow() {
        return new IllegalStateException("consent row changed under its lock");
    }

    /**
     * PostgreSQL: the new decisions, the updated ones and the events (at least one) in one
     * statement, whose parts see the same snapshot and touch different rows (a decision is either
     * new or locked and updated); answers the events' numbers, in their order.
     */
    private long[] writeAllAtOnce(Decisions decisions, List<Object[]> events, List<String> salts) {
        Object[] params = new Object[8 + 9 + 13];
        System.arraycopy(textColumns(decisions.inserts(), 8), 0, params, 0, 8);
        System.arraycopy(textColumns(decisions.updates(), 9), 0, params, 8, 9);
        System.arraycopy(Db.textColumns(events), 0, params, 17, 13);
        Map<String, Long> bySalt = new HashMap<>();
        long[] written = new long[2];
        db.list(WRITE_ALL, rs -> {
            bySalt.put(rs.getString(2), rs.getLong(1));
            written[0] = rs.getLong(3);
            written[1] = rs.getLong(4);
            return null;
        }, params);
        if (written[0] != decisions.inserts().size()) {
            throw new IllegalStateException(written[0] + " new decisions written of " + decisions.inserts().size());
        }
        if (written[1] != decisions.updates().size()) {
            throw movedRow();
        }
        return numbers(bySalt, salts);
    }

    /** {@link Db#textColumns}, also for no rows (each column an empty array). */
    private static Object[] textColumns(List<Object[]> rows, int width) {
        if (!rows.isEmpty()) {
            return Db.textColumns(rows);
        }
        Object[] empty = new Object[width];
        java.util.Arrays.fill(empty, new Db.SqlArray("varchar", new String[0]));
        return empty;
    }

    /** The events as rows to insert, each with a new salt (added to {@code salts}). */
    private static List<Object[]> eventRows(List<ConsentEvent> events, List<String> salts) {
        List<Object[]> rows = new ArrayList<>(events.size());
        for (ConsentEvent e : events) {
            String salt = AuditLeaves.newSalt();
            salts.add(salt);
            rows.add(new Object[] {e.patient(), e.application(), e.purpose(), e.state(), e.previousState(),
                    e.noticeVersion(), e.decidedBy().type(), e.decidedBy().id(), e.channel(), null, e.at(), salt,
                    e.expiresAt()});
        }
        return rows;
    }

    /**
     * The events as stored, with their numbers; a cascade's link to its cause written in one more
     * statement (on PostgreSQL, sent with the commit: nothing of the transaction reads it).
     */
    private List<ConsentEvent> stored(List<ConsentEvent> events, int[] causeIndex, long[] seqs, List<String> salts) {
        List<ConsentEvent> stored = new ArrayList<>(events.size());
        List<Object[]> causes = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Long cause = causeIndex[i] < 0 ? null : seqs[causeIndex[i]];
            if (cause != null) {
                causes.add(new Object[] {cause, seqs[i]});
            }
            stored.add(events.get(i).stored(seqs[i], cause, salts.get(i)));
        }
        db.writeAllAtCommit("UPDATE consent_event SET cause_seq = ? WHERE seq = ?", "UPDATE consent_event e SET cause_seq = "
                + "u.c::bigint FROM " + Db.unnestText(2) + " AS u(c, s) WHERE e.seq = u.s::bigint", causes);
        return stored;
    }

    /**
     * The events' numbers (PostgreSQL, which inserts them in one statement), found by their salts,
     * new and random to each event, whatever the order in which the rows came back; in the events'
     * order. The numbers must also follow the events' order (a cascade after its cause, a patient's
     * second change after the first: the log and the history are in that order). PostgreSQL gives
     * the identity's values as the rows leave the sort, which it does not promise in so many words:
     * checked here, so that a change of behaviour fails the write rather than misorders the log.
     */
    private static long[] numbers(Map<String, Long> bySalt, List<String> salts) {
        long[] seqs = new long[salts.size()];
        for (int i = 0; i < seqs.length; i++) {
            Long seq = bySalt.get(salts.get(i));
            if (seq == null) {
                throw new IllegalStateException("an event inserted came back without its number");
            }
            if (i > 0 && seq <= seqs[i - 1]) {
                throw new IllegalStateException("events numbered out of their order");
            }
            seqs[i] = seq;
        }
        return seqs;
    }

    /** The most patients looked up by one statement. */
    private static final int LOOKUPS = 1_000;
    /** An application's grants, to which a statement adds its own conditions. */
    private static final String GRANTS = "FROM consent WHERE application_id = ? AND state = 'GRANTED' AND ";
    private static final String SELECT_GRANTS = "SELECT patient_id, purpose, notice_version " + GRANTS;

    /** Receives a range's grants, in the order of their patient ids' bytes. */
    public interface GrantVisitor {
        /** {@code patientId}: the id's bytes (ASCII), the caller's to read, not to keep. */
        void grant(byte[] patientId, int noticeVersion);
    }

    /**
     * Hands {@code visitor} the grants of {@code purpose} of the patients whose ids lie from {@code
     * first} to {@code last}, at most {@code limit}: one scan of the index of grants by application,
     * purpose and patient, in the order of patient ids by {@link String#compareTo} (the bytes', for
     * patient ids) whatever the database's collation. Returns how many it handed.
     */
    public int grantsBetween(ApplicationId application, Purpose purpose, String first, String last, int limit,
                             GrantVisitor visitor) {
        boolean postgres = db.isPostgres();
        // A cohort reads a million of these, so nothing is made for a row: in PostgreSQL's text
        // protocol a text column's bytes are its UTF-8 encoding (ASCII for a patient id), which the
        // driver hands as it holds them. Decoding each id into a string was a quarter of the
        // service's time for a cohort (measured).
        return db.each(grantsBetweenQuery(postgres),
                rs -> visitor.grant(postgres ? rs.getBytes(1) : rs.getString(1).getBytes(StandardCharsets.US_ASCII),
                        rs.getInt(2)),
                application, purpose, first, last, limit);
    }

    /**
     * The statement of {@link #grantsBetween}; its parameters are the application, the purpose, the
     * first and last patient ids, and the limit. The state is written as a literal, so that
     * PostgreSQL reads it from the index of grants alone (V16), which a parameter would not let it prove.
     */
    public static String grantsBetweenQuery(boolean postgres) {
        // H2 compares strings as Java does; PostgreSQL by the database's collation unless told otherwise (V13, V16).
        String id = postgres ? "patient_id COLLATE \"C\"" : "patient_id";
        return "SELECT patient_id, notice_version " + GRANTS + "purpose = ? AND " + id + " >= ? AND " + id + " <= ? "
                + "ORDER BY " + id + " LIMIT ?";
    }

    /**
     * The grants of CARE and {@code purpose} of the patients among {@code patientIds}, ordered as
     * {@link #grantsBetween}: one lookup per patient.
     */
    public List<Grant> grantsOf(ApplicationId application, Purpose purpose, List<String> patientIds) {
        List<Grant> grants = new ArrayList<>();
        // By a thousand: with many more ids in one array, PostgreSQL's planner prefers scanning the whole table.
        for (int from = 0; from < patientIds.size(); from += LOOKUPS) {
            grants.addAll(db.list(SELECT_GRANTS + "purpose IN (?, 'CARE') AND patient_id = ANY(?)",
                    rs -> grant(rs, purpose), application, purpose, new Db.SqlArray("varchar",
                            patientIds.subList(from, Math.min(patientIds.size(), from + LOOKUPS)).toArray())));
        }
        // Sorted here rather than by the database, whose sort of many rows may spill to disk.
        grants.sort(Comparator.comparing(Grant::patientId));
        return grants;
    }

    private static Grant grant(ResultSet rs, Purpose purpose) throws SQLException {
        // By column number, and the purpose without a lookup: a cohort reads a million of these.
        return new Grant(rs.getString(1), "CARE".equals(rs.getString(2)) ? Purpose.CARE : purpose, rs.getInt(3));
    }

    private static final String INTO_CONSENT = "INSERT INTO consent (patient_id, application_id, purpose, state, "
            + "notice_version, version, updated_at, expires_at) ";
    private static final String INTO_EVENT = "INSERT INTO consent_event (patient_id, application_id, purpose, "
            + "state, previous_state, notice_version, actor_type, actor_id, channel, cause_seq, at, salt, expires_at) ";
    private static final String INSERT_CONSENT = INTO_CONSENT + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String UPDATE_CONSENT = "UPDATE consent SET state = ?, notice_version = ?, version = ?, "
            + "updated_at = ?, expires_at = ? WHERE patient_id = ? AND application_id = ? AND purpose = ? AND version = ?";
    private static final String INSERT_EVENT = INTO_EVENT + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    // The same statements for a group of rows in one (PostgreSQL): columns sent as text arrays (Db.textColumns).
    private static final String INSERT_CONSENTS = INTO_CONSENT + "SELECT p, a, pu, st, nv::int, v::bigint, t::timestamptz, "
            + "e::timestamptz FROM " + Db.unnestText(8) + " WITH ORDINALITY AS u(p, a, pu, st, nv, v, t, e, n) ORDER BY n";
    private static final String UPDATE_CONSENTS = "UPDATE consent c SET state = u.st, notice_version = u.nv::int, "
            + "version = u.v::bigint, updated_at = u.t::timestamptz, expires_at = u.e::timestamptz FROM "
            + Db.unnestText(9) + " AS u(st, nv, v, t, e, p, a, pu, b) WHERE c.patient_id = u.p AND c.application_id = u.a "
            + "AND c.purpose = u.pu AND c.version = u.b::bigint";
    private static final String INSERT_EVENTS = INTO_EVENT + "SELECT p, a, pu, st, ps, nv::int, aty, aid, ch, c::bigint, "
            + "t::timestamptz, salt, e::timestamptz FROM " + Db.unnestText(13)
            + " WITH ORDINALITY AS u(p, a, pu, st, ps, nv, aty, aid, ch, c, t, salt, e, n) ORDER BY n RETURNING seq, salt";
    /**
     * The three above in one statement: the new decisions, the updated ones, the events; each event's
     * number and salt with the counts of decisions inserted and updated. The parts of a data-modifying
     * {@code WITH} run once each, whether read or not.
     */
    private static final String WRITE_ALL = "WITH inserted AS (" + INSERT_CONSENTS + " RETURNING 1), updated AS ("
            + UPDATE_CONSENTS + " RETURNING 1), events AS (" + INSERT_EVENTS + ") "
            + "SELECT seq, salt, (SELECT count(*) FROM inserted), (SELECT count(*) FROM updated) FROM events";

    /** The patient's events, newest first. */
    public List<ConsentEvent> history(PatientId patient, int limit, long offset) {
        return db.list(SELECT_EVENTS + " WHERE patient_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?",
                ConsentRepository::event, patient, limit, offset);
    }

    /** A grant whose end has come: patient, application, purpose. */
    public record Due(PatientId patient, ApplicationId application, Purpose purpose) {
    }

    /** Grants whose end is at or before {@code now}, the oldest first. */
    public List<Due> dueToExpire(Instant now, int limit) {
        return db.list(dueToExpireQuery(limit),
                rs -> new Due(PatientId.of(rs.getString(1)), ApplicationId.of(rs.getString(2)),
                        Purpose.valueOf(rs.getString(3))), now);
    }

    /** One of the patient's events, by its number; empty when it is not theirs or does not exist. */
    public java.util.Optional<ConsentEvent> eventOf(PatientId patient, long seq) {
        return db.one(SELECT_EVENTS + " WHERE seq = ? AND patient_id = ?", ConsentRepository::event, seq, patient);
    }

    /** The patient's latest event about one application, if any. */
    public java.util.Optional<ConsentEvent> lastEventOf(PatientId patient, ApplicationId application) {
        return db.one(SELECT_EVENTS + " WHERE patient_id = ? AND application_id = ? ORDER BY seq DESC LIMIT 1",
                ConsentRepository::event, patient, application);
    }

    /** A patient's events after a seq, oldest first: the export reads them page by page. */
    public List<ConsentEvent> historyAfter(PatientId patient, long afterSeq, int limit) {
        return db.list(SELECT_EVENTS + " WHERE patient_id = ? AND seq > ? ORDER BY seq LIMIT " + limit,
                ConsentRepository::event, patient, afterSeq);
    }

    public long countHistory(PatientId patient) {
        return db.count("SELECT COUNT(*) FROM consent_event WHERE patient_id = ?", patient);
    }

    /** How many events are not in the audit log yet. */
    public long countUnlogged() {
        return db.count("SELECT COUNT(*) FROM consent_event WHERE leaf_index IS NULL");
    }

    /** The events matching the filters, newest first. */
    public List<ConsentEvent> trail(Filters filters, Paging.Request page) {
        Filters.Where where = filters.where("application_id", "patient_id", "purpose", "at");
        List<Object> params = new ArrayList<>(where.params());
        params.add(page.size());
        params.add(page.offset());
        return db.list(SELECT_EVENTS + " WHERE " + where.sql() + " ORDER BY seq DESC LIMIT ? OFFSET ?",
                ConsentRepository::event, params.toArray());
    }

    public long countTrail(Filters filters) {
        Filters.Where where = filters.where("application_id", "patient_id", "purpose", "at");
        return db.count("SELECT COUNT(*) FROM consent_event WHERE " + where.sql(), where.params().toArray());
    }

    /**
     * The events of these patients about secondary purposes, of every application, up to a time:
     * what the findings pass judges their accesses by.
     */
    public List<ConsentEvent> secondaryEventsOf(Collection<String> patients, Instant until) {
        if (patients.isEmpty()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>(patients);
        params.add(until);
        String marks = String.join(", ", java.util.Collections.nCopies(patients.size(), "?"));
        return db.list(SELECT_EVENTS + " WHERE patient_id IN (" + marks + ") AND purpose <> 'CARE' AND at <= ? "
                + "ORDER BY seq", ConsentRepository::event, params.toArray());
    }

    /**
     * The statement of {@link #dueToExpire} (one parameter, the time): on PostgreSQL it reads the
     * index of the grants that end, which keeps no other decision (V19).
     */
    public static String dueToExpireQuery(int limit) {
        return "SELECT patient_id, application_id, purpose FROM consent WHERE expires_at <= ? AND state = 'GRANTED' "
                + "ORDER BY expires_at LIMIT " + limit;
    }

    /** The event at a leaf of the audit log, if that leaf is a consent event. */
    public java.util.Optional<ConsentEvent> atLeaf(long leafIndex) {
        return db.one(AT_LEAF, ConsentRepository::event, leafIndex);
    }

    /**
     * The statement of {@link #atLeaf} (one parameter, the leaf): on PostgreSQL it reads the index
     * of events by leaf, which keeps no event without one (V19).
     */
    public static final String AT_LEAF = SELECT_EVENTS + " WHERE leaf_index = ?";

    /** The oldest events not yet in the audit log, in the order they were written. */
    public List<ConsentEvent> unlogged(int limit) {
        return db.list(SELECT_EVENTS + " WHERE leaf_index IS NULL ORDER BY seq LIMIT " + limit,
                ConsentRepository::event);
    }

    /** Records where the events went in the audit log: pairs of [leaf index, seq]. */
    public void logged(List<Object[]> leafAndSeq) {
        if (leafAndSeq.isEmpty()) {
            return;
        }
        if (db.isPostgres()) {
            // One statement instead of one per row: the appender must outpace ingestion. Planned at each run: a plan
            // kept from a new database's first seconds, when the table held a few events, reads it whole once it grew.
            db.updatePlannedEachRun("UPDATE consent_event e SET leaf_index = u.leaf FROM unnest(?::bigint[], ?::bigint[]) "
                    + "AS u(leaf, seq) WHERE e.seq = u.seq", Db.column(leafAndSeq, 0, "bigint"),
                    Db.column(leafAndSeq, 1, "bigint"));
        } else {
            db.batch("UPDATE consent_event SET leaf_index = ? WHERE seq = ?", leafAndSeq);
        }
    }

    /** Decisions made in one month (UTC) for one application and purpose, by the state decided. */
    public record MonthlyChanges(int year, int month, String applicationId, Purpose purpose, ConsentState state,
                                 long count) {
    }

    /** The consent events of every month, counted by application, purpose and state decided. */
    public List<MonthlyChanges> monthlyChanges() {
        String utc = db.isPostgres() ? "at AT TIME ZONE 'UTC'" : "at";
        return db.list("SELECT EXTRACT(YEAR FROM " + utc + ") AS y, EXTRACT(MONTH FROM " + utc + ") AS m, "
                + "application_id, purpose, state, COUNT(*) FROM consent_event GROUP BY 1, 2, application_id, purpose, "
                + "state ORDER BY 1, 2", rs -> new MonthlyChanges(rs.getInt(1), rs.getInt(2), rs.getString(3),
                        Purpose.valueOf(rs.getString(4)), ConsentState.valueOf(rs.getString(5)), rs.getLong(6)));
    }

    public Map<String, Long> countsByState() {
        Map<String, Long> counts = new HashMap<>();
        db.list("SELECT application_id, purpose, state, COUNT(*) FROM consent GROUP BY application_id, purpose, state",
                rs -> counts.put(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3), rs.getLong(4)));
        return counts;
    }

    /** How many patients decided anything about each application. */
    public Map<String, Long> patientsByApplication() {
        Map<String, Long> patients = new HashMap<>();
        db.list("SELECT application_id, COUNT(DISTINCT patient_id) FROM consent GROUP BY application_id",
                rs -> patients.put(rs.getString(1), rs.getLong(2)));
        return patients;
    }

    private static PurposeConsent consent(ResultSet rs) throws SQLException {
        return new PurposeConsent(Purpose.valueOf(rs.getString("purpose")), ConsentState.valueOf(rs.getString("state")),
                rs.getInt("notice_version"), rs.getLong("version"), Db.instant(rs, "updated_at"),
                Db.instant(rs, "expires_at"));
    }

    private static ConsentEvent event(ResultSet rs) throws SQLException {
        return new ConsentEvent(rs.getLong("seq"), PatientId.of(rs.getString("patient_id")),
                ApplicationId.of(rs.getString("application_id")), Purpose.valueOf(rs.getString("purpose")),
                ConsentState.valueOf(rs.getString("state")), ConsentState.valueOf(rs.getString("previous_state")),
                rs.getInt("notice_version"),
                new DecidedBy(ActorType.valueOf(rs.getString("actor_type")), rs.getString("actor_id")),
                Channel.valueOf(rs.getString("channel")), rs.getObject("cause_seq", Long.class), Db.instant(rs, "at"),
                rs.getObject("leaf_index", Long.class), rs.getString("salt"), Db.instant(rs, "expires_at"));
    }
}
