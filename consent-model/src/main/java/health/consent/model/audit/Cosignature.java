package health.consent.model.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * c2sp.org/tlog-cosignature: a witness's timestamped Ed25519 cosignature of a checkpoint (type
 * 0x04). The signed message is {@code "cosignature/v1\ntime <seconds>\n" + checkpoint text}; the
 * signature line carries the key id, the time as 8 big-endian bytes, and the signature. A
 * cosignature says: as of that time, this is the largest tree, consistent with everything before,
 * that the witness has seen for this origin.
 */
public final class Cosignature {

    /** The signature type of a witness's cosignature/v1 key. */
    public static final byte TYPE = 0x04;

    private Cosignature() {
    }

    public static byte[] message(long time, String checkpointText) {
        return ("cosignature/v1\ntime " + time + "\n" + checkpointText).getBytes(StandardCharsets.UTF_8);
    }

    /** The witness's signature line over the checkpoint text, at {@code time} (POSIX seconds). */
    public static SignedNote.Line sign(String name, PrivateKey key, PublicKey publicKey, String checkpointText,
                                       long time) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(message(time, checkpointText));
            byte[] signature = signer.sign();
            byte[] timed = ByteBuffer.allocate(8 + signature.length).putLong(time).put(signature).array();
            return new SignedNote.Line(name, SignedNote.keyId(name, TYPE, SignedNote.raw(publicKey)), timed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot cosign", e);
        }
    }

    /**
     * The time of the witness's cosignature on the note, when the note carries one that verifies;
     * empty when it carries none, or a wrong one.
     */
    public static OptionalLong verify(SignedNote.Note note, SignedNote.VerifierKey witness) {
        if (witness.type() != TYPE) {
            return OptionalLong.empty();
        }
        for (SignedNote.Line line : note.signatures()) {
            if (line.name().equals(witness.name()) && Arrays.equals(line.keyId(), witness.keyId())
                    && line.signature().length == 8 + 64) {
                long time = ByteBuffer.wrap(line.signature(), 0, 8).getLong();
                boolean ok = time >= 0 && SignedNote.verifyEd25519(witness.key(), message(time, note.text()),
                        Arrays.copyOfRange(line.signature(), 8, line.signature().length));
                return ok ? OptionalLong.of(time) : OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }
}
