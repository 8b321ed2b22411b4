package db.migration;

import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The audit tree is kept as the hash tiles it publishes (c2sp.org/tlog-tiles) rather than a row per
 * node: {@code merkle_tile (lvl, idx, hashes)}, up to 256 hashes of level 8 * lvl in one row. The
 * nodes of levels 0, 8, 16... are the tiles' entries; the levels between are computed from them
 * when a root or a proof needs them. A leaf then costs 32 bytes instead of about two rows, and the
 * appender writes a few rows a pass instead of two a leaf.
 */
public class V15__Merkle_tiles extends BaseJavaMigration {

    private static final int WIDTH = 256;
    /** Tiles written since the last batch was sent: a batch is sent every 64 (half a megabyte). */
    private int pending;

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE merkle_tile (lvl SMALLINT NOT NULL, idx BIGINT NOT NULL, hashes " + Dialect.bytes(c)
                    + " NOT NULL, PRIMARY KEY (lvl, idx))");
            if (Dialect.postgres(c)) {
                // Hashes do not compress: PostgreSQL is not to try, at each rewrite of a partial tile.
                s.execute("ALTER TABLE merkle_tile ALTER COLUMN hashes SET STORAGE EXTERNAL");
            }
        }
        try (PreparedStatement read = c.prepareStatement("SELECT lvl, idx, node_hash FROM merkle_node "
                     + "WHERE lvl IN (0, 8, 16, 24, 32, 40, 48, 56) ORDER BY lvl, idx");
             PreparedStatement write = c.prepareStatement("INSERT INTO merkle_tile (lvl, idx, hashes) VALUES (?, ?, ?)")) {
            read.setFetchSize(WIDTH * 16);
            try (ResultSet rs = read.executeQuery()) {
                ByteArrayOutputStream tile = new ByteArrayOutputStream();
                int tileLevel = -1;
                long tileIndex = -1;
                long expected = 0;
                while (rs.next()) {
                    int level = rs.getInt(1) / 8;
                    long index = rs.getLong(2);
                    if (level != tileLevel) {
                        flush(write, tileLevel, tileIndex, tile);
                        tileLevel = level;
                        tileIndex = 0;
                        expected = 0;
                    }
                    if (index != expected) {
                        throw new IllegalStateException("the stored tree lacks node " + expected + " of level " + 8 * level);
                    }
                    if (index / WIDTH != tileIndex) {
                        flush(write, tileLevel, tileIndex, tile);
                        tileIndex = index / WIDTH;
                    }
                    tile.writeBytes(HexFormat.of().parseHex(rs.getString(3)));
                    expected++;
                }
                flush(write, tileLevel, tileIndex, tile);
            }
            write.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE merkle_node");
        }
    }

    private void flush(PreparedStatement write, int level, long index, ByteArrayOutputStream tile)
            throws Exception {
        if (tile.size() > 0) {
            write.setShort(1, (short) level);
            write.setLong(2, index);
            write.setBytes(3, tile.toByteArray());
            write.addBatch();
            if (++pending % 64 == 0) {
                write.executeBatch();
            }
            tile.reset();
        }
    }
}
