package health.consent.service.audit;

import health.consent.model.audit.Merkle;
import health.consent.service.db.Db;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored tree, and every statement on its tables: {@code merkle_tile} and {@code audit_log}
 * (the tree's size). The tree is kept as the hash tiles it publishes (c2sp.org/tlog-tiles): tile
 * {@code (L, N)} holds, in one row, up to 256 hashes of level 8L, entries 256N onwards (the leaf
 * hashes at L = 0; at L = 1 the roots of complete subtrees of 256 leaves, and so on). Any node of a
 * complete subtree is hashed from at most 128 entries of one tile, so any root and any proof
 * (RFC 9162 sections 2.1.1 to 2.1.4) takes O(log n) rows, and a leaf costs 32 bytes of storage
 * rather than a row per node.
 */
@Singleton
public class MerkleStore {

    private final Db db;

    public MerkleStore(Db db) {
        this.db = db;
    }

    /** A node of a complete subtree: level 0 is a leaf; (level, index) covers leaves [index * 2^level, (index + 1) * 2^level). */
    record Node(int level, long index) {
    }

    /** How many leaves the log holds. */
    public long size() {
        return db.one("SELECT tree_size FROM audit_log WHERE id = 1", rs -> rs.getLong(1)).orElse(0L);
    }

    /** The log's size, locked until the transaction ends: one appender at a time across instances. */
    long lockSize() {
        return db.one("SELECT tree_size FROM audit_log WHERE id = 1 FOR UPDATE", rs -> rs.getLong(1)).orElseThrow();
    }

    /**
     * Hash tile {@code index} at tile level {@code level} (c2sp.org/tlog-tiles): the first
     * {@code width} of its 256 hashes, each the root of a complete subtree of 256^level leaves,
     * concatenated; or null when the log does not hold them all yet.
     */
    public byte[] tile(int level, long index, int width) {
        byte[] stored = tileRow(level, index);
        return stored == null || stored.length < HASH * width ? null : java.util.Arrays.copyOf(stored, HASH * width);
    }

    private static final int WIDTH = 256;
    private static final int HASH = 32;

    private byte[] tileRow(int level, long index) {
        return db.one("SELECT hashes FROM merkle_tile WHERE lvl = ? AND idx = ?", rs -> rs.getBytes(1), (short) level,
                index).orElse(null);
    }

    /** The root of the first {@code size} leaves. */
    public byte[] root(long size) {
        return size == 0 ? Merkle.emptyRoot() : mth(0, size, new HashMap<>());
    }

    /** RFC 9162 PATH(m, D[n]). */
    public List<byte[]> inclusionProof(long m, long n) {
        List<byte[]> path = new ArrayList<>();
        path(m, 0, n, path, new HashMap<>());
        return path;
    }

    /** RFC 9162 PROOF(m, D[n]). */
    public List<byte[]> consistencyProof(long m, long n) {
        List<byte[]> proof = new ArrayList<>();
        if (m > 0 && m < n) {
            subproof(m, 0, n, true, proof, new HashMap<>());
        }
        return proof;
    }

    public byte[] leaf(long index) {
        return node(0, index, new HashMap<>());
    }

    private void path(long m, long lo, long hi, List<byte[]> out, Map<Node, byte[]> memo) {
        long n = hi - lo;
        if (n <= 1) {
            return;
        }
        long k = Merkle.split(n);
        if (m < k) {
            path(m, lo, lo + k, out, memo);
            out.add(mth(lo + k, hi, memo));
        } else {
            path(m - k, lo + k, hi, out, memo);
            out.add(mth(lo, lo + k, memo));
        }
    }

    private void subproof(long m, long lo, long hi, boolean b, List<byte[]> out, Map<Node, byte[]> memo) {
        long n = hi - lo;
        if (m == n) {
            if (!b) {
                out.add(mth(lo, hi, memo));
            }
            return;
        }
        long k = Merkle.split(n);
        if (m <= k) {
            subproof(m, lo, lo + k, b, out, memo);
            out.add(mth(lo + k, hi, memo));
        } else {
            subproof(m - k, lo + k, hi, false, out, memo);
            out.add(mth(lo, lo + k, memo));
        }
    }

    /** MTH(D[lo:hi]); {@code lo} is always aligned to the largest power of two not above {@code hi - lo}. */
    private byte[] mth(long lo, long hi, Map<Node, byte[]> memo) {
        long n = hi - lo;
        if (Long.bitCount(n) == 1 && lo % n == 0) {
            return node(Long.numberOfTrailingZeros(n), lo / n, memo);
        }
        long k = Merkle.split(n);
        return Merkle.nodeHash(mth(lo, lo + k, memo), mth(lo + k, hi, memo));
    }

    /**
     * The node's hash, from the tile of level {@code level / 8} that holds the entries below it
     * ({@code 2^(level % 8)} of them, at most 128). The memo keeps the nodes and the tiles read in one
     * computation (a tile under {@code Node(-1 - tile level, tile index)}).
     */
    private byte[] node(int level, long index, Map<Node, byte[]> memo) {
        byte[] known = memo.get(new Node(level, index));
        if (known != null) {
            return known;
        }
        int below = level % 8;
        long first = index << below;
        Node tileKey = new Node(-1 - level / 8, first / WIDTH);
        byte[] tile = memo.computeIfAbsent(tileKey, key -> tileRow(level / 8, first / WIDTH));
        int from = (int) (first % WIDTH);
        int count = 1 << below;
        if (tile == null || tile.length < HASH * (from + count)) {
            throw new IllegalStateException("missing Merkle node " + new Node(level, index));
        }
        byte[] hash = subtreeRoot(tile, from, count);
        memo.put(new Node(level, index), hash);
        return hash;
    }

    /** The root of the complete subtree over {@code count} (a power of two) entries of a tile. */
    private static byte[] subtreeRoot(byte[] tile, int from, int count) {
        byte[][] level = new byte[count][];
        for (int i = 0; i < count; i++) {
            level[i] = java.util.Arrays.copyOfRange(tile, HASH * (from + i), HASH * (from + i + 1));
        }
        for (int n = count; n > 1; n /= 2) {
            for (int i = 0; i < n / 2; i++) {
                level[i] = Merkle.nodeHash(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[0];
    }

    /**
     * Appends leaves after {@code size} existing ones: they go into the tiles of level 0, and each
     * tile they fill adds its root to the tiles of the level above. Call inside the appender's
     * transaction.
     */
    void append(long size, List<byte[]> leafHashes) {
        List<Object[]> rows = new ArrayList<>();
        List<byte[]> entries = leafHashes;
        long before = size; // entries of this level before the append
        for (int level = 0; !entries.isEmpty(); level++) {
            long index = before / WIDTH;
            int width = (int) (before % WIDTH);
            java.io.ByteArrayOutputStream tile = new java.io.ByteArrayOutputStream(HASH * WIDTH);
            if (width > 0) {
                byte[] stored = tileRow(level, index);
                if (stored == null || stored.length != HASH * width) {
                    throw new IllegalStateException("tile " + level + "/" + index + " does not hold " + width + " hashes");
                }
                tile.writeBytes(stored);
            }
            List<byte[]> roots = new ArrayList<>();
            for (byte[] entry : entries) {
                tile.writeBytes(entry);
                if (++width == WIDTH) {
                    byte[] full = tile.toByteArray();
                    rows.add(new Object[] {(short) level, index++, full});
                    roots.add(subtreeRoot(full, 0, WIDTH));
                    tile.reset();
                    width = 0;
                }
            }
            if (width > 0) {
                rows.add(new Object[] {(short) level, index, tile.toByteArray()});
            }
            entries = roots;
            before /= WIDTH;
        }
        db.batch(db.isPostgres()
                ? "INSERT INTO merkle_tile (lvl, idx, hashes) VALUES (?, ?, ?) ON CONFLICT (lvl, idx) "
                        + "DO UPDATE SET hashes = EXCLUDED.hashes"
                : "MERGE INTO merkle_tile (lvl, idx, hashes) KEY (lvl, idx) VALUES (?, ?, ?)", rows);
        db.update("UPDATE audit_log SET tree_size = ? WHERE id = 1", size + leafHashes.size());
    }
}
