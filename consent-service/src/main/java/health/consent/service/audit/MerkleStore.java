package health.consent.service.audit;

import health.consent.model.audit.Merkle;
import health.consent.service.db.Db;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored tree, and every statement on its tables: {@code merkle_node} (hashes of complete
 * subtrees, from which any root and any proof is computed, RFC 9162 sections 2.1.1 to 2.1.4, in
 * O(log n) lookups) and {@code audit_log} (the tree's size).
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
        List<String> hashes = db.list("SELECT node_hash FROM merkle_node WHERE lvl = ? AND idx >= ? AND idx < ? "
                + "ORDER BY idx", rs -> rs.getString(1), (short) (8 * level), index * 256, index * 256 + width);
        if (hashes.size() != width) {
            return null;
        }
        byte[] tile = new byte[32 * width];
        for (int i = 0; i < width; i++) {
            System.arraycopy(Merkle.unhex(hashes.get(i)), 0, tile, 32 * i, 32);
        }
        return tile;
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

    private byte[] node(int level, long index, Map<Node, byte[]> memo) {
        return memo.computeIfAbsent(new Node(level, index), key -> db.one(
                "SELECT node_hash FROM merkle_node WHERE lvl = ? AND idx = ?", rs -> Merkle.unhex(rs.getString(1)),
                level, index).orElseThrow(() -> new IllegalStateException("missing Merkle node " + key)));
    }

    /**
     * Appends leaves after {@code size} existing ones, with every complete subtree they close.
     * Call inside the appender's transaction.
     */
    void append(long size, List<byte[]> leafHashes) {
        appendNodes(size, leafHashes);
        db.update("UPDATE audit_log SET tree_size = ? WHERE id = 1", size + leafHashes.size());
    }

    private void appendNodes(long size, List<byte[]> leafHashes) {
        Map<Node, byte[]> known = new HashMap<>();
        // The right edge of the current tree: the complete subtrees new leaves may join.
        for (int level = 0; level < 63; level++) {
            if (((size >> level) & 1) == 1) {
                long index = (size >> level) - 1;
                known.put(new Node(level, index), node(level, index, new HashMap<>()));
            }
        }
        List<Object[]> rows = new ArrayList<>(leafHashes.size() * 2);
        long index = size;
        for (byte[] leaf : leafHashes) {
            int level = 0;
            long at = index;
            byte[] hash = leaf;
            known.put(new Node(0, at), hash);
            rows.add(new Object[] {(short) 0, at, Merkle.hex(hash)});
            while ((at & 1) == 1) {
                byte[] left = known.get(new Node(level, at - 1));
                hash = Merkle.nodeHash(left, hash);
                level++;
                at >>= 1;
                known.put(new Node(level, at), hash);
                rows.add(new Object[] {(short) level, at, Merkle.hex(hash)});
            }
            index++;
        }
        if (db.isPostgres()) {
            db.update("INSERT INTO merkle_node (lvl, idx, node_hash) SELECT * FROM unnest(?::smallint[], ?::bigint[], "
                    + "?::varchar[])", Db.column(rows, 0, "smallint"), Db.column(rows, 1, "bigint"),
                    Db.column(rows, 2, "varchar"));
        } else {
            db.batch("INSERT INTO merkle_node (lvl, idx, node_hash) VALUES (?, ?, ?)", rows);
        }
    }
}
