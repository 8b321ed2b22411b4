package health.consent.sdk.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.audit.Cosignature;
import health.consent.model.audit.SignedNote;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The witness cosigns only consistent growth of a log it knows, signed by that log's key (c2sp.org/tlog-witness). */
class WitnessTest {

    private static final String ORIGIN = "consent.example/audit/v2";

    private static byte[] sha(byte prefix, byte[]... parts) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(prefix);
        for (byte[] p : parts) {
            d.update(p);
        }
        return d.digest();
    }

    /** RFC 6962 MTH over leaves lo..hi. */
    private static byte[] mth(List<byte[]> leaves, int lo, int hi) throws Exception {
        if (hi - lo == 1) {
            return leaves.get(lo);
        }
        int k = Integer.highestOneBit(hi - lo - 1);
        return sha((byte) 1, mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
    }

    /** RFC 6962 SUBPROOF(m, D[lo:hi], b). */
    private static void subproof(List<byte[]> leaves, int m, int lo, int hi, boolean b, List<byte[]> out) throws Exception {
        int n = hi - lo;
        if (m == n) {
            if (!b) {
                out.add(mth(leaves, lo, hi));
            }
            return;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m <= k) {
            subproof(leaves, m, lo, lo + k, b, out);
            out.add(mth(leaves, lo + k, hi));
        } else {
            subproof(leaves, m - k, lo + k, hi, false, out);
            out.add(mth(leaves, lo, lo + k));
        }
    }

    private final KeyPair logKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    private final KeyPair witnessKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    private final List<byte[]> leaves = new ArrayList<>();

    WitnessTest() throws Exception {
        for (int i = 0; i < 20; i++) {
            leaves.add(sha((byte) 0, ("leaf " + i).getBytes()));
        }
    }

    private String checkpoint(int size, KeyPair signer) throws Exception {
        String text = SignedNote.checkpointText(ORIGIN, size, mth(leaves, 0, size));
        return new SignedNote.Note(text, List.of(SignedNote.sign(ORIGIN, signer.getPrivate(), signer.getPublic(), text)))
                .format();
    }

    private String request(int old, int size, KeyPair signer, List<byte[]> proof) throws Exception {
        StringBuilder body = new StringBuilder("old " + old + "\n");
        for (byte[] p : proof) {
            body.append(Base64.getEncoder().encodeToString(p)).append('\n');
        }
        return body.append('\n').append(checkpoint(size, signer)).toString();
    }

    private List<byte[]> proof(int from, int to) throws Exception {
        List<byte[]> out = new ArrayList<>();
        subproof(leaves, from, 0, to, true, out);
        return out;
    }

    private Witness witness(Path state) throws Exception {
        return new Witness("witness.example/w1", witnessKeys.getPrivate(), witnessKeys.getPublic(),
                List.of(SignedNote.VerifierKey.parse(SignedNote.verifierKey(ORIGIN, SignedNote.ED25519,
                        logKeys.getPublic()))), state);
    }

    @Test
    void consistent_growth_is_cosigned_and_anything_else_is_refused_with_the_specifications_status() throws Exception {
        Path state = Files.createTempFile("witness", ".state");
        Files.delete(state);
        Witness witness = witness(state);
        SignedNote.VerifierKey mine = SignedNote.VerifierKey.parse(witness.verifierKey());

        Witness.Answer first = witness.addCheckpoint(request(0, 7, logKeys, List.of()));
        assertThat(first.status()).isEqualTo(200);
        String cosigned = checkpoint(7, logKeys) + first.body();
        assertThat(Cosignature.verify(SignedNote.parse(cosigned), mine)).isPresent();

        Witness.Answer stale = witness.addCheckpoint(request(0, 12, logKeys, List.of()));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.contentType()).isEqualTo("text/x.tlog.size");
        assertThat(stale.body()).isEqualTo("7\n");

        assertThat(witness.addCheckpoint(request(7, 12, logKeys, proof(7, 12))).status()).isEqualTo(200);

        // A rewritten history: the same size again with another leaf in it.
        leaves.set(3, sha((byte) 0, "rewritten".getBytes()));
        assertThat(witness.addCheckpoint(request(12, 12, logKeys, List.of())).status()).as("split view").isEqualTo(422);
        assertThat(witness.addCheckpoint(request(12, 15, logKeys, proof(12, 15))).status()).as("rewritten").isEqualTo(422);

        KeyPair stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertThat(witness.addCheckpoint(request(12, 15, stranger, List.of())).status()).isEqualTo(403);
        assertThat(witness.addCheckpoint(request(12, 15, logKeys, List.of()).replace(ORIGIN, "other.example/log"))
                .status()).isEqualTo(404);
        assertThat(witness.addCheckpoint("hello").status()).isEqualTo(400);
        assertThat(witness.addCheckpoint(request(20, 15, logKeys, List.of())).status()).isEqualTo(400);

        // A verifier asks for a quorum of cosignatures.
        String logKey = SignedNote.verifierKey(ORIGIN, SignedNote.ED25519, logKeys.getPublic());
        assertThat(AuditVerifier.verifyCosigned(cosigned, logKey, List.of(witness.verifierKey()), 1)).isTrue();
        assertThat(AuditVerifier.verifyCosigned(checkpoint(7, logKeys), logKey, List.of(witness.verifierKey()), 1))
                .as("not cosigned").isFalse();
        assertThat(AuditVerifier.verifyCosigned(cosigned, logKey, List.of(witness.verifierKey()), 2))
                .as("one cosignature is not a quorum of two").isFalse();

        // It remembers what it cosigned across a restart.
        assertThat(witness(state).addCheckpoint(request(0, 15, logKeys, List.of())).body()).isEqualTo("12\n");
    }
}
