package health.consent.model.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MerkleTest {

    private static List<byte[]> leaves(int n) {
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hashes.add(Merkle.leafHash(("leaf " + i).getBytes(StandardCharsets.UTF_8)));
        }
        return hashes;
    }

    @Test
    void hashing_follows_rfc_9162_prefixes() {
        byte[] data = "x".getBytes(StandardCharsets.UTF_8);
        assertThat(Merkle.leafHash(data)).isEqualTo(ReferenceMerkle.leaf(data));
        assertThat(Merkle.hex(Merkle.emptyRoot()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void every_inclusion_proof_of_the_reference_verifies_and_a_wrong_one_does_not() {
        for (int n = 1; n <= 33; n++) {
            List<byte[]> hashes = leaves(n);
            byte[] root = ReferenceMerkle.root(hashes);
            for (int m = 0; m < n; m++) {
                List<byte[]> proof = ReferenceMerkle.inclusion(m, hashes);
                assertThat(Merkle.verifyInclusion(m, n, hashes.get(m), proof, root)).as("leaf %d of %d", m, n).isTrue();
                assertThat(Merkle.verifyInclusion(m, n, Merkle.leafHash(new byte[] {9}), proof, root)).isFalse();
                if (n > 1) {
                    assertThat(Merkle.verifyInclusion((m + 1) % n, n, hashes.get(m), proof, root)).isFalse();
                }
            }
        }
    }

    @Test
    void every_consistency_proof_of_the_reference_verifies_and_a_rewritten_history_does_not() {
        for (int n = 1; n <= 33; n++) {
            List<byte[]> hashes = leaves(n);
            for (int m = 1; m <= n; m++) {
                List<byte[]> proof = ReferenceMerkle.consistency(m, hashes);
                byte[] first = ReferenceMerkle.root(hashes.subList(0, m));
                byte[] second = ReferenceMerkle.root(hashes);
                assertThat(Merkle.verifyConsistency(m, n, first, second, proof)).as("%d -> %d", m, n).isTrue();
                if (m < n) {
                    List<byte[]> rewritten = new ArrayList<>(hashes.subList(0, m));
                    rewritten.set(m - 1, Merkle.leafHash(new byte[] {42}));
                    assertThat(Merkle.verifyConsistency(m, n, ReferenceMerkle.root(rewritten), second, proof)).isFalse();
                }
            }
        }
    }

    @Test
    void canonical_json_sorts_keys_and_escapes_as_rfc_8785() {
        byte[] bytes = CanonicalJson.bytes(Map.of("b", "é\"\n\u0001", "a", 12L, "c", "x", "d", "run\\of\ttext\u001fend"));
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"a\":12,\"b\":\"é\\\"\\n\\u0001\",\"c\":\"x\","
                + "\"d\":\"run\\\\of\\ttext\\u001fend\"}");
    }
}
