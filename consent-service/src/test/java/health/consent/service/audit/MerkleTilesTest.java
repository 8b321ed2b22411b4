package health.consent.service.audit;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.audit.Merkle;
import health.consent.service.db.Transactions;
import health.consent.service.support.OnBothDatabases;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tree kept as hash tiles gives the roots, proofs and tiles of RFC 9162's definitions, here
 * computed again from the leaves alone, across tile boundaries at every level: appends of uneven
 * sizes grow the log past 256 leaves (a tile of level 1) and past 65,536 (a tile of level 2).
 */
class MerkleTilesTest extends OnBothDatabases {

    /** MTH(D[lo:hi]) as RFC 9162 defines it. */
    static byte[] mth(List<byte[]> leaves, int lo, int hi) {
        if (hi - lo == 1) {
            return leaves.get(lo);
        }
        int k = (int) Merkle.split(hi - lo);
        return Merkle.nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
    }

    @Test
    void roots_proofs_and_tiles_match_the_definitions_across_tile_boundaries() {
        Transactions transactions = service.context().getBean(Transactions.class);
        MerkleStore tree = service.context().getBean(MerkleStore.class);
        List<byte[]> leaves = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int serial = 0;
        for (int append : new int[] {1, 254, 1, 1, 300, 65_000, 1, 255, 4_000}) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < append; i++) {
                batch.add(Merkle.leafHash(ByteBuffer.allocate(8).putLong(serial++).array()));
            }
            int size = transactions.write(() -> {
                long before = tree.lockSize();
                // The service's own leaves, if its appender wrote some, are part of the tree too.
                while (leaves.size() < before) {
                    leaves.add(tree.leaf(leaves.size()));
                }
                tree.append(before, batch);
                return (int) before + batch.size();
            });
            leaves.addAll(batch);
            sizes.add(size);
        }
        assertThat(leaves.size()).isGreaterThan(65_536 + 256);

        java.util.Map<Integer, byte[]> roots = new java.util.HashMap<>();
        sizes.forEach(n -> roots.put(n, mth(leaves, 0, n)));
        for (int n : sizes) {
            byte[] root = roots.get(n);
            assertThat(Merkle.hex(transactions.read(() -> tree.root(n)))).as("root of %d", n).isEqualTo(Merkle.hex(root));
            for (int m : new int[] {0, n / 3, n / 2, n - 1}) {
                List<byte[]> path = transactions.read(() -> tree.inclusionProof(m, n));
                assertThat(Merkle.verifyInclusion(m, n, leaves.get(m), path, root)).as("leaf %d of %d", m, n).isTrue();
            }
            for (int older : sizes) {
                if (older < n) {
                    List<byte[]> proof = transactions.read(() -> tree.consistencyProof(older, n));
                    assertThat(Merkle.verifyConsistency(older, n, roots.get(older), root, proof))
                            .as("%d to %d", older, n).isTrue();
                }
            }
        }
        byte[] firstLeaves = new byte[32 * 256];
        for (int i = 0; i < 256; i++) {
            System.arraycopy(leaves.get(i), 0, firstLeaves, 32 * i, 32);
        }
        assertThat(transactions.read(() -> tree.tile(0, 0, 256))).isEqualTo(firstLeaves);
        byte[] upper = transactions.read(() -> tree.tile(1, 0, 3));
        for (int i = 0; i < 3; i++) {
            assertThat(Arrays.copyOfRange(upper, 32 * i, 32 * i + 32)).as("entry %d of tile 1/0", i)
                    .isEqualTo(mth(leaves, 256 * i, 256 * (i + 1)));
        }
        assertThat(Arrays.copyOf(transactions.read(() -> tree.tile(2, 0, 1)), 32)).isEqualTo(mth(leaves, 0, 65_536));
        assertThat(transactions.read(() -> tree.tile(2, 0, 2))).as("not complete yet").isNull();
    }
}
