package db.migration;

import health.consent.model.AccessRecord;
import health.consent.model.AccessorType;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.audit.AuditLeaves;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.ZoneOffset;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Access records take their place in the audit log by batch, not one by one. Each request that
 * stores records also stores one {@code access_batch} row: how many records it stored and their
 * leaf hashes, computed as it writes them; a record carries its batch and its position in it. The
 * appender then numbers a whole batch with one update of that narrow row (a record's leaf is its
 * batch's first leaf plus its position) and reads the hashes from it, instead of reading every
 * record back and updating each wide row with its leaf index, which cost more than storing it.
 *
 * <p>Records already in the log keep their {@code leaf_index}; the ones not in it yet are put here
 * into batches of a thousand, in the order the appender would have taken them, with their hashes,
 * so that every leaf still to come is a batch's. Their index of unlogged records goes; the index of
 * leaf indexes now holds only the records that have one.
 */
public class V14__Access_leaves_by_batch extends BaseJavaMigration {

    private static final int BATCH = 1_000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        boolean postgres = Dialect.postgres(c);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE access_batch (id BIGINT PRIMARY KEY, first_leaf BIGINT, leaf_count INT NOT NULL, "
                    + "leaf_hashes " + Dialect.bytes(c) + ", received_at TIMESTAMP WITH TIME ZONE NOT NULL)");
            if (postgres) {
                // Hashes do not compress: PostgreSQL is not to try, at each batch stored.
                s.execute("ALTER TABLE access_batch ALTER COLUMN leaf_hashes SET STORAGE EXTERNAL");
                s.execute("CREATE UNIQUE INDEX access_batch_by_leaf ON access_batch (first_leaf)");
                s.execute("CREATE INDEX access_batch_unlogged ON access_batch (id) WHERE first_leaf IS NULL");
            } else {
                s.execute("CREATE INDEX access_batch_by_leaf ON access_batch (first_leaf, id)");
            }
            s.execute("ALTER TABLE access_record ADD COLUMN batch_id BIGINT");
            s.execute("ALTER TABLE access_record ADD COLUMN leaf_position INT");
        }
        long next = batchUnlogged(c);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SEQUENCE access_batch_seq START WITH " + next);
            s.execute("CREATE INDEX access_record_by_batch ON access_record (batch_id, leaf_position)"
                    + (postgres ? " WHERE batch_id IS NOT NULL" : ""));
            // A record in neither form would never reach the log: an instance of an earlier version,
            // left running through the upgrade, has its writes refused rather than lost.
            s.execute("ALTER TABLE access_record ADD CONSTRAINT access_record_in_the_log "
                    + "CHECK (leaf_index IS NOT NULL OR batch_id IS NOT NULL)");
            s.execute("DROP INDEX IF EXISTS access_record_unlogged");
            if (postgres) {
                s.execute("DROP INDEX access_record_by_leaf");
                s.execute("CREATE INDEX access_record_by_leaf ON access_record (leaf_index) WHERE leaf_index IS NOT NULL");
            }
        }
    }

    /** Puts the records not in the log yet into batches, with their hashes; returns the next batch id. */
    private static long batchUnlogged(Connection c) throws Exception {
        long batch = 1;
        try (PreparedStatement read = c.prepareStatement("SELECT id, accessor_type, application_id, patient_id, purpose, "
                     + "actor, data_category, outcome, reason, at, received_at, salt FROM access_record "
                     + "WHERE leaf_index IS NULL ORDER BY received_at, application_id, id");
             PreparedStatement place = c.prepareStatement(
                     "UPDATE access_record SET batch_id = ?, leaf_position = ? WHERE application_id = ? AND id = ? AND at = ?");
             PreparedStatement store = c.prepareStatement(
                     "INSERT INTO access_batch (id, leaf_count, leaf_hashes, received_at) VALUES (?, ?, ?, ?)")) {
            read.setFetchSize(BATCH);
            try (ResultSet rs = read.executeQuery()) {
                ByteArrayOutputStream hashes = new ByteArrayOutputStream();
                int position = 0;
                AccessRecord last = null;
                while (rs.next()) {
                    AccessRecord r = record(rs);
                    hashes.writeBytes(AuditLeaves.accessRecordHash(r));
                    place.setLong(1, batch);
                    place.setInt(2, position++);
                    place.setString(3, r.applicationId());
                    place.setString(4, r.id());
                    place.setObject(5, r.at().atOffset(ZoneOffset.UTC));
                    place.addBatch();
                    last = r;
                    if (position == BATCH) {
                        close(place, store, batch++, position, hashes, last);
                        position = 0;
                    }
                }
                if (position > 0) {
                    close(place, store, batch++, position, hashes, last);
                }
            }
        }
        return batch;
    }

    /** A record as the table held it at this version (the leaf's format is the log's, and does not change). */
    private static AccessRecord record(ResultSet rs) throws Exception {
        String purpose = rs.getString("purpose");
        return new AccessRecord(rs.getString("id"), AccessorType.valueOf(rs.getString("accessor_type")),
                rs.getString("application_id"), rs.getString("patient_id"),
                purpose == null ? null : Purpose.valueOf(purpose), rs.getString("actor"), rs.getString("data_category"),
                Outcome.valueOf(rs.getString("outcome")), rs.getString("reason"),
                rs.getObject("at", java.time.OffsetDateTime.class).toInstant(),
                rs.getObject("received_at", java.time.OffsetDateTime.class).toInstant(), null, rs.getString("salt"));
    }

    private static void close(PreparedStatement place, PreparedStatement store, long batch, int count,
                              ByteArrayOutputStream hashes, AccessRecord last) throws Exception {
        place.executeBatch();
        store.setLong(1, batch);
        store.setInt(2, count);
        store.setBytes(3, hashes.toByteArray());
        store.setObject(4, last.receivedAt().atOffset(ZoneOffset.UTC));
        store.executeUpdate();
        hashes.reset();
    }
}
