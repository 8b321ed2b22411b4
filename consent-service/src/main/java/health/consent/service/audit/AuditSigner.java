package health.consent.service.audit;

import health.consent.model.audit.Checkpoint;
import health.consent.model.audit.SignedNote;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.inject.Singleton;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs checkpoints with the service's Ed25519 key, given as {@code AUDIT_SIGNING_KEY} (base64 of
 * the PKCS#8 private key). Outside {@code dev} the service will not start without it: checkpoints
 * signed by a key that changes at every start prove nothing. In {@code dev}, a key is made at
 * start-up.
 */
@Singleton
public class AuditSigner {

    private static final Logger LOG = LoggerFactory.getLogger(AuditSigner.class);

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;
    private final String origin;

    public AuditSigner(@Value("${consent.audit.signing-key:}") String encoded,
                       @Value("${consent.audit.origin:consent.example/audit/v2}") String origin,
                       Environment environment) {
        if (!SignedNote.isValidName(origin)) {
            throw new ConfigurationException("AUDIT_LOG_ORIGIN must name the log with no space and no '+', "
                    + "such as consent.example/audit/v2; it is " + origin);
        }
        this.origin = origin;
        try {
            KeyPair pair;
            if (encoded == null || encoded.isBlank()) {
                if (!environment.getActiveNames().contains(Environment.DEVELOPMENT)) {
                    throw new ConfigurationException("No audit signing key: set AUDIT_SIGNING_KEY to the base64 of an "
                            + "Ed25519 private key in PKCS#8 (for example: openssl genpkey -algorithm ed25519 -outform DER "
                            + "| base64 -w0). The dev environment makes its own.");
                }
                pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            } else {
                pair = fromPrivate(encoded.trim());
            }
            this.privateKey = pair.getPrivate();
            this.publicKey = pair.getPublic();
            this.keyId = Checkpoint.keyId(publicKey);
            LOG.info("Audit checkpoints are signed with key {} (public key: {})", keyId, publicKeyBase64());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new ConfigurationException("AUDIT_SIGNING_KEY is not a base64 PKCS#8 Ed25519 private key", e);
        }
    }

    public Checkpoint sign(long treeSize, String rootHash, Instant at) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(Checkpoint.signedBytes(treeSize, rootHash, at));
            return new Checkpoint(treeSize, rootHash, Base64.getEncoder().encodeToString(signer.sign()), keyId, at);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a checkpoint", e);
        }
    }

    /** The log's origin, the first line of its checkpoints and the name of its note key. */
    public String origin() {
        return origin;
    }

    /** Signs a checkpoint's note text (c2sp.org/tlog-checkpoint) with the log's key, named after its origin. */
    public SignedNote.Line signNote(String text) {
        return SignedNote.sign(origin, privateKey, publicKey, text);
    }

    /** The log's verifier key, as witnesses and note verifiers are configured with it. */
    public String verifierKey() {
        return SignedNote.verifierKey(origin, SignedNote.ED25519, publicKey);
    }

    public String keyId() {
        return keyId;
    }

    /**
     * A second Ed25519 key derived from this one for another use (the SHA-256 of the label and this
     * key's seed), so that one secret serves both and neither signature can pass for the other.
     */
    public KeyPair derive(String label) {
        try {
            byte[] seed = ((EdECPrivateKey) privateKey).getBytes().orElseThrow();
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(label.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new FixedSeed(sha.digest(seed)));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive a key", e);
        }
    }

    /** The public key, base64 of its X.509 encoding: what a verifier needs. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    private static KeyPair fromPrivate(String base64) throws GeneralSecurityException {
        KeyFactory factory = KeyFactory.getInstance("Ed25519");
        PrivateKey key = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        // The JDK derives the public key from the 32-byte seed the generator draws: hand it this key's seed.
        byte[] seed = ((EdECPrivateKey) key).getBytes().orElseThrow();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
        KeyPair pair = generator.generateKeyPair();
        return new KeyPair(pair.getPublic(), key);
    }

    /** Hands the key generator the private key's own seed, so that it derives the matching public key. */
    private static final class FixedSeed extends java.security.SecureRandom {
        private final byte[] seed;

        FixedSeed(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }
}
