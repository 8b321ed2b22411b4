package health.consent.model.audit;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * A second, independent implementation of RFC 9162's tree, straight from the definitions of
 * sections 2.1.1 to 2.1.4 (MTH, PATH, PROOF and SUBPROOF), with no shortcut: the tests check the
 * service's roots and proofs against it.
 */
public final class ReferenceMerkle {

    private ReferenceMerkle() {
    }

    /** MTH(D[n]) over leaf hashes. */
    public static byte[] root(List<byte[]> leafHashes) {
        int n = leafHashes.size();
        if (n == 0) {
            return sha(new byte[0]);
        }
        if (n == 1) {
            return leafHashes.get(0);
        }
        int k = largestPowerOfTwoBelow(n);
        return node(root(leafHashes.subList(0, k)), root(leafHashes.subList(k, n)));
    }

    /** PATH(m, D[n]). */
    public static List<byte[]> inclusion(int m, List<byte[]> leafHashes) {
        int n = leafHashes.size();
        List<byte[]> path = new ArrayList<>();
        if (n <= 1) {
            return path;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m < k) {
            path.addAll(inclusion(m, leafHashes.subList(0, k)));
            path.add(root(leafHashes.subList(k, n)));
        } else {
            path.addAll(inclusion(m - k, leafHashes.subList(k, n)));
            path.add(root(leafHashes.subList(0, k)));
        }
        return path;
    }

    /** PROOF(m, D[n]). */
    public static List<byte[]> consistency(int m, List<byte[]> leafHashes) {
        return subproof(m, leafHashes, true);
    }

    private static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
        int n = d.size();
        List<byte[]> proof = new ArrayList<>();
        if (m == n) {
            if (!b) {
                proof.add(root(d));
            }
            return proof;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            proof.addAll(subproof(m, d.subList(0, k), b));
            proof.add(root(d.subList(k, n)));
        } else {
            proof.addAll(subproof(m - k, d.subList(k, n), false));
            proof.add(root(d.subList(0, k)));
        }
        return proof;
    }

    public static byte[] leaf(byte[] data) {
        byte[] prefixed = new byte[data.length + 1];
        System.arraycopy(data, 0, prefixed, 1, data.length);
        return sha(prefixed);
    }

    private static byte[] node(byte[] left, byte[] right) {
        byte[] both = new byte[1 + left.length + right.length];
        both[0] = 1;
        System.arraycopy(left, 0, both, 1, left.length);
        System.arraycopy(right, 0, both, 1 + left.length, right.length);
        return sha(both);
    }

    private static int largestPowerOfTwoBelow(int n) {
        int k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        return k;
    }

    private static byte[] sha(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
