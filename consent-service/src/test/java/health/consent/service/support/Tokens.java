package health.consent.service.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Tokens as an identity provider would issue them, signed with the tests' shared secret. */
public final class Tokens {

    /** The tests' HS256 secret; never used outside the test suite. */
    public static final String SECRET = "test-secret-of-at-least-thirty-two-bytes-for-hs256";

    /** The scraper's token for /prometheus in tests. */
    public static final String METRICS = "test-metrics-token";

    private Tokens() {
    }

    public static String patient(String patientId) {
        return sign(claims(patientId, "PATIENT").build());
    }

    public static String representative(String patientId, String representativeId) {
        return sign(claims(patientId, "PATIENT").claim("act", Map.of("sub", representativeId)).build());
    }

    public static String application(String applicationId) {
        return sign(claims(applicationId, "APPLICATION").build());
    }

    public static String admin() {
        return sign(claims("admin-1", "ADMIN").build());
    }

    public static String regulator() {
        return sign(claims("regulator-1", "REGULATOR").build());
    }

    /** A token built from the usual claims, changed by {@code edit}. */
    public static String custom(String subject, String role, Consumer<JWTClaimsSet.Builder> edit) {
        JWTClaimsSet.Builder builder = claims(subject, role);
        edit.accept(builder);
        return sign(builder.build());
    }

    public static JWTClaimsSet.Builder claims(String subject, String role) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(subject).claim("roles", List.of(role))
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)));
    }

    public static String sign(JWTClaimsSet claims) {
        return sign(claims, SECRET);
    }

    public static String sign(JWTClaimsSet claims, String secret) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
