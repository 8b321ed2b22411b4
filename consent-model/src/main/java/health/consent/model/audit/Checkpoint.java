package health.consent.model.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;

/**
 * A signed statement of the audit log's size and root: whoever holds it can later demand proof
 * that any record is in the log, and that the log only ever grew. The signed bytes are the UTF-8
 * text {@code "consent-audit-log/v1\n" + treeSize + "\n" + rootHash + "\n" + at + "\n"}, signed with
 * Ed25519; {@code keyId} is the first 8 bytes, in hex, of SHA-256 of the public key's X.509 encoding.
 *
 * @param rootHash  lowercase hex
 * @param signature base64 of the Ed25519 signature
 */
public record Checkpoint(long treeSize, String rootHash, String signature, String keyId, Instant at) {

    public static byte[] signedBytes(long treeSize, String rootHash, Instant at) {
        return ("consent-audit-log/v1\n" + treeSize + "\n" + rootHash + "\n" + at + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    public byte[] signedBytes() {
        return signedBytes(treeSize, rootHash, at);
    }

    /** True when the signature is the key's over this checkpoint, and the key id matches. */
    public boolean verify(PublicKey key) {
        try {
            if (!keyId(key).equals(keyId)) {
                return false;
            }
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(signedBytes());
            return verifier.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return Merkle.hex(java.util.Arrays.copyOf(digest, 8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An Ed25519 public key from the base64 of its X.509 encoding, as the service publishes it. */
    public static PublicKey publicKey(String base64) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }
}
