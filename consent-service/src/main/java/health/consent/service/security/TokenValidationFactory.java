package health.consent.service.security;

import com.nimbusds.jose.JWSAlgorithm;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.security.token.jwt.signature.SignatureConfiguration;
import io.micronaut.security.token.jwt.signature.SignatureGeneratorConfiguration;
import io.micronaut.security.token.jwt.signature.secret.SecretSignature;
import io.micronaut.security.token.jwt.signature.secret.SecretSignatureConfiguration;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Shared-secret token validation: {@code JWT_SECRET}, an HS256 secret of at least 32 bytes. (The
 * identity provider's key set, {@code JWT_JWKS_URL}, is Micronaut's own JWKS validation, set up
 * by {@link health.consent.service.Application#settings}.)
 *
 * <p>In the {@code dev} environment the development tokens ({@code POST /dev/tokens}) are signed
 * with a random key made at start-up, whether or not a shared secret is set: they stop working when
 * the service restarts, can never be forged from the repository, and are never valid on another
 * instance, even one that shares the deployment's secret (a node started with {@code dev} by
 * mistake would otherwise hand anyone an administrator's token for all of them). Tokens signed with
 * the shared secret are validated in every environment.
 */
@Factory
public class TokenValidationFactory {

    static final String SECRET = "consent.auth.jwt-secret";

    /** Validates tokens signed with the shared secret; signs none. */
    @Singleton
    @Named("shared")
    @Requires(property = SECRET, pattern = ".+")
    SignatureConfiguration sharedSecret(@Property(name = SECRET) String secret) {
        if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new ConfigurationException("JWT_SECRET must be at least 32 bytes long for HS256");
        }
        return hs256("shared", secret);
    }

    /** Signs the development tokens, and validates them on this instance only. */
    @Singleton
    @Named("generator")
    @Requires(env = Environment.DEVELOPMENT)
    SignatureGeneratorConfiguration developmentSecret() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return hs256("generator", Base64.getEncoder().encodeToString(random));
    }

    private static SecretSignature hs256(String name, String secret) {
        SecretSignatureConfiguration config = new SecretSignatureConfiguration(name);
        config.setSecret(secret);
        config.setJwsAlgorithm(JWSAlgorithm.HS256);
        return new SecretSignature(config);
    }
}
