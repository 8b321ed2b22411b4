package db.migration;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The audit log, version 2: every consent event and access record gets a random 32-byte salt,
 * which becomes part of its leaf, so that the tree's hashes (now public, as tiles) confirm no guess
 * of what a record holds. A database holding a version 1 log keeps its signed checkpoints in
 * {@code checkpoint_v1}; the v1 tree's hashes are dropped (they are recomputable from the records,
 * which carried no salt); every existing record is salted here and appended again, in its original
 * order, to the v2 log by the appender.
 */
public class V6__Salted_leaves_v2_log extends BaseJavaMigration {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BATCH = 5_000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE consent_event ADD COLUMN salt VARCHAR(64)");
            s.execute("ALTER TABLE access_record ADD COLUMN salt VARCHAR(64)");
            s.execute("CREATE TABLE checkpoint_v1 AS SELECT * FROM checkpoint");
            s.execute("DELETE FROM checkpoint");
            s.execute("ALTER TABLE checkpoint ADD COLUMN origin VARCHAR(200)");
            s.execute("ALTER TABLE checkpoint ADD COLUMN note_signature VARCHAR(200)");
            s.execute("DELETE FROM merkle_node");
            s.execute("UPDATE audit_log SET tree_size = 0");
            s.execute("UPDATE consent_event SET leaf_index = NULL");
            s.execute("UPDATE access_record SET leaf_index = NULL");
        }
        salt(c, "SELECT seq FROM consent_event WHERE salt IS NULL ORDER BY seq",
                "UPDATE consent_event SET salt = ? WHERE seq = ?", 1);
        salt(c, "SELECT application_id, id FROM access_record WHERE salt IS NULL",
                "UPDATE access_record SET salt = ? WHERE application_id = ? AND id = ?", 2);
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE consent_event ALTER COLUMN salt SET NOT NULL");
            s.execute("ALTER TABLE access_record ALTER COLUMN salt SET NOT NULL");
            // Patients ask for the proof of a leaf by its index.
            s.execute("CREATE INDEX consent_event_by_leaf ON consent_event (leaf_index)");
            s.execute("CREATE INDEX access_record_by_leaf ON access_record (leaf_index)");
        }
    }

    /** Gives every row found by {@code select} (its {@code keys} first columns) a salt of its own. */
    private static void salt(Connection c, String select, String update, int keys) throws Exception {
        List<Object[]> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(select)) {
            while (rs.next()) {
                Object[] key = new Object[keys];
                for (int i = 0; i < keys; i++) {
                    key[i] = rs.getObject(i + 1);
                }
                rows.add(key);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(update)) {
            int n = 0;
            for (Object[] key : rows) {
                byte[] salt = new byte[32];
                RANDOM.nextBytes(salt);
                ps.setString(1, HexFormat.of().formatHex(salt));
                for (int i = 0; i < keys; i++) {
                    ps.setObject(i + 2, key[i]);
                }
                ps.addBatch();
                if (++n % BATCH == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
    }
}
