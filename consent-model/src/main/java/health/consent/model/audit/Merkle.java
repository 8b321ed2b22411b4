package health.consent.model.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The hashing and proof verification of RFC 9162 (Certificate Transparency 2.0), section 2.1:
 * leaf = SHA-256(0x00 || bytes), node = SHA-256(0x01 || left || right).
 */
public final class Merkle {

    private static final HexFormat HEX = HexFormat.of();
    /** The digest {@link #sha256()} copies. */
    private static final MessageDigest SHA256 = newSha256();

    private Merkle() {
    }

    public static byte[] leafHash(byte[] leaf) {
        MessageDigest sha = sha256();
        sha.update((byte) 0x00);
        return sha.digest(leaf);
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest sha = sha256();
        sha.update((byte) 0x01);
        sha.update(left);
        return sha.digest(right);
    }

    /** The root of the empty tree: SHA-256 of nothing. */
    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    /** The largest power of two smaller than {@code n} (n at least 2). */
    public static long split(long n) {
        return Long.highestOneBit(n - 1);
    }

    /**
     * Verifies that {@code leafHash} is leaf {@code index} of the tree of {@code treeSize} leaves whose
     * root is {@code rootHash} (RFC 9162, 2.1.3.2).
     */
    public static boolean verifyInclusion(long index, long treeSize, byte[] leafHash, List<byte[]> proof,
                                          byte[] rootHash) {
        if (index < 0 || index >= treeSize) {
            return false;
        }
        long fn = index;
        long sn = treeSize - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(r, rootHash);
    }

    /**
     * Verifies that the tree of {@code firstSize} leaves with root {@code firstRoot} is a prefix of
     * the tree of {@code secondSize} leaves with root {@code secondRoot} (RFC 9162, 2.1.4.2).
     */
    public static boolean verifyConsistency(long firstSize, long secondSize, byte[] firstRoot, byte[] secondRoot,
                                            List<byte[]> proof) {
        if (firstSize < 0 || firstSize > secondSize) {
            return false;
        }
        if (firstSize == secondSize) {
            return proof.isEmpty() && Arrays.equals(firstRoot, secondRoot);
        }
        if (firstSize == 0) {
            return proof.isEmpty();
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = proof;
        if (Long.bitCount(firstSize) == 1) {
            // A power of two: the first tree's root is the first node of the path.
            path = new java.util.ArrayList<>(proof.size() + 1);
            path.add(firstRoot);
            path.addAll(proof);
        }
        long fn = firstSize - 1;
        long sn = secondSize - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (int i = 1; i < path.size(); i++) {
            byte[] c = path.get(i);
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(fr, firstRoot) && Arrays.equals(sr, secondRoot);
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static byte[] unhex(String hex) {
        return HEX.parseHex(hex);
    }

    /**
     * A new SHA-256 digest, copied from one made once: looking the algorithm up among the
     * providers cost more than hashing a leaf, and the service hashes one per record it stores.
     */
    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            return newSha256();
        }
    }


    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
