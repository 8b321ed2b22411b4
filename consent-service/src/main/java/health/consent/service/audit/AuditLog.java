package health.consent.service.audit;

import health.consent.model.audit.AuditLeaves;
import health.consent.model.audit.Checkpoint;
import health.consent.model.audit.Merkle;
import health.consent.service.db.BackgroundPass;
import health.consent.service.db.Db;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only, tamper-evident log. Consent events and access records are written as usual;
 * the appender, one run at a time across instances (the {@code audit_log} row lock), numbers the
 * ones not yet in the log, hashes their canonical form into leaves, and extends the tree, in
 * batches. Checkpoints are signed every interval when the log grew, and on demand.
 */
@Singleton
public class AuditLog implements ApplicationEventListener<ServerStartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final int BATCH = 10_000;
    /** How long a pass waits for more writes once woken by one. */
    private static final long COALESCE_MILLIS = 20;

    private final Db db;
    private final MerkleStore tree;
    private final AuditSigner signer;
    private final long checkpointNanos;
    private final BackgroundPass pass;
    private long lastCheckpoint = System.nanoTime();

    public AuditLog(Db db, MerkleStore tree, AuditSigner signer,
                    @Value("${consent.audit.append-interval:200ms}") Duration appendInterval,
                    @Value("${consent.audit.checkpoint-interval:60s}") Duration checkpointInterval) {
        this.db = db;
        this.tree = tree;
        this.signer = signer;
        this.checkpointNanos = checkpointInterval.toNanos();
        this.pass = new BackgroundPass("consent-audit-log", appendInterval, Duration.ofMillis(COALESCE_MILLIS),
                this::pass, LOG);
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        pass.start();
    }

    @PreDestroy
    void stop() throws InterruptedException {
        pass.stop();
    }

    /** Something was written that belongs in the log: append it soon. */
    public void written() {
        pass.wake();
    }

    /** Appends everything written so far; returns the log's size. */
    public long appendAll() {
        while (appendBatch() == BATCH) {
            // Keep going while there is a backlog.
        }
        return size();
    }

    public long size() {
        return db.one("SELECT tree_size FROM audit_log WHERE id = 1", rs -> rs.getLong(1)).orElse(0L);
    }

    /** Signs a checkpoint of the whole log as it is now (appending what is pending first). */
    public Checkpoint publish() {
        long size = appendAll();
        Optional<Checkpoint> latest = latest();
        if (latest.isPresent() && latest.get().treeSize() == size) {
            return latest.get();
        }
        Checkpoint c = signer.sign(size, Merkle.hex(tree.root(size)), Db.now());
        // Two instances may sign the same size at once: the first stored wins, both are valid.
        db.update("INSERT INTO checkpoint (tree_size, root_hash, signature, key_id, at) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING", c.treeSize(), c.rootHash(), c.signature(), c.keyId(), c.at());
        return latest().orElse(c);
    }

    public Optional<Checkpoint> latest() {
        return db.one("SELECT tree_size, root_hash, signature, key_id, at FROM checkpoint ORDER BY tree_size DESC LIMIT 1",
                rs -> new Checkpoint(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        Db.instant(rs, "at")));
    }

    private int appendBatch() {
        return db.inTransaction(() -> {
            long size = db.one("SELECT tree_size FROM audit_log WHERE id = 1 FOR UPDATE", rs -> rs.getLong(1))
                    .orElseThrow();
            List<Leaf> leaves = new ArrayList<>(db.list("SELECT seq, patient_id, application_id, purpose, state, "
                    + "previous_state, notice_version, actor_type, actor_id, channel, cause_seq, at FROM consent_event "
                    + "WHERE leaf_index IS NULL ORDER BY seq LIMIT " + BATCH, AuditLog::eventLeaf));
            if (leaves.size() < BATCH) {
                leaves.addAll(db.list("SELECT id, accessor_type, application_id, patient_id, purpose, actor, "
                        + "data_category, outcome, reason, at FROM access_record WHERE leaf_index IS NULL "
                        + "ORDER BY received_at, application_id, id LIMIT " + (BATCH - leaves.size()), AuditLog::recordLeaf));
            }
            if (leaves.isEmpty()) {
                return 0;
            }
            List<Object[]> events = new ArrayList<>();
            List<Object[]> records = new ArrayList<>();
            List<byte[]> hashes = new ArrayList<>(leaves.size());
            long index = size;
            for (Leaf leaf : leaves) {
                hashes.add(AuditLeaves.hash(leaf.fields()));
                if (leaf.eventSeq() != null) {
                    events.add(new Object[] {index, leaf.eventSeq()});
                } else {
                    records.add(new Object[] {index, leaf.applicationId(), leaf.recordId()});
                }
                index++;
            }
            if (db.isPostgres()) {
                // One statement per kind instead of one per row: the appender must outpace ingestion.
                db.update("UPDATE consent_event e SET leaf_index = u.leaf FROM unnest(?::bigint[], ?::bigint[]) "
                        + "AS u(leaf, seq) WHERE e.seq = u.seq", column(events, 0, "bigint"), column(events, 1, "bigint"));
                db.update("UPDATE access_record a SET leaf_index = u.leaf FROM unnest(?::bigint[], ?::varchar[], "
                        + "?::varchar[]) AS u(leaf, app, id) WHERE a.application_id = u.app AND a.id = u.id",
                        column(records, 0, "bigint"), column(records, 1, "varchar"), column(records, 2, "varchar"));
            } else {
                db.batch("UPDATE consent_event SET leaf_index = ? WHERE seq = ?", events);
                db.batch("UPDATE access_record SET leaf_index = ? WHERE application_id = ? AND id = ?", records);
            }
            tree.append(size, hashes);
            db.update("UPDATE audit_log SET tree_size = ? WHERE id = 1", index);
            return leaves.size();
        });
    }

    /** Column {@code i} of the rows, as an array parameter. */
    static Db.SqlArray column(List<Object[]> rows, int i, String type) {
        Object[] values = new Object[rows.size()];
        for (int r = 0; r < values.length; r++) {
            values[r] = rows.get(r)[i];
        }
        return new Db.SqlArray(type, values);
    }

    /** A row to put in the log: its leaf's fields, and where to write its index back. */
    private record Leaf(Map<String, Object> fields, Long eventSeq, String applicationId, String recordId) {
    }

    private static Leaf eventLeaf(ResultSet rs) throws SQLException {
        long cause = rs.getLong("cause_seq");
        Long causeSeq = rs.wasNull() ? null : cause;
        long seq = rs.getLong("seq");
        return new Leaf(AuditLeaves.consentEvent(seq, rs.getString("patient_id"), rs.getString("application_id"),
                rs.getString("purpose"), rs.getString("state"), rs.getString("previous_state"),
                rs.getInt("notice_version"), rs.getString("actor_type"), rs.getString("actor_id"),
                rs.getString("channel"), causeSeq, Db.instant(rs, "at")), seq, null, null);
    }

    private static Leaf recordLeaf(ResultSet rs) throws SQLException {
        return new Leaf(AuditLeaves.accessRecord(rs.getString("id"), rs.getString("accessor_type"),
                rs.getString("application_id"), rs.getString("patient_id"), rs.getString("purpose"),
                rs.getString("actor"), rs.getString("data_category"), rs.getString("outcome"), rs.getString("reason"),
                Db.instant(rs, "at")), null, rs.getString("application_id"), rs.getString("id"));
    }

    /** One pass: append what was written, and sign a checkpoint when the interval has passed. */
    private void pass() {
        appendAll();
        if (System.nanoTime() - lastCheckpoint >= checkpointNanos) {
            publish();
            lastCheckpoint = System.nanoTime();
        }
    }
}
