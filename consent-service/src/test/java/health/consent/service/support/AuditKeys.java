package health.consent.service.support;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;

/** The tests' checkpoint signing key, made once per test run: no key is ever in the repository. */
public final class AuditKeys {

    private static final KeyPair PAIR;

    static {
        try {
            PAIR = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Base64 of the PKCS#8 private key, as AUDIT_SIGNING_KEY takes it. */
    public static final String PRIVATE_KEY = Base64.getEncoder().encodeToString(PAIR.getPrivate().getEncoded());

    private AuditKeys() {
    }

    public static PublicKey publicKey() {
        return PAIR.getPublic();
    }
}
