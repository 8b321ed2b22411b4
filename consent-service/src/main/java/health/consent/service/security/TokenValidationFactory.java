package health.consent.service.security;

import com.nimbusds.jose.JWSAlgorithm;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;
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
 * by {@link health.consent.service.Application#settings}.) In the
 * {@code dev} environment without a secret, a random one is made at start-up, so development
 * tokens stop working when the service restarts and can never be forged from the repository.
 */
@Factory
public class TokenValidationFactory {

    static final String SECRET = "consent.auth.jwt-secret";

    @Singleton
    @Named("generator")
    @Requires(property = SECRET, pattern = ".+")
    SignatureGeneratorConfiguration sharedSecret(@Property(name = SECRET) String secret) {
        if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new ConfigurationException("JWT_SECRET must be at least 32 bytes long for HS256");
        }
        return hs256(secret);
    }

    @Singleton
    @Named("generator")
    @Requires(env = Environment.DEVELOPMENT)
    @Requires(property = SECRET, pattern = "^$")
    SignatureGeneratorConfiguration developmentSecret() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return hs256(Base64.getEncoder().encodeToString(random));
    }

    private static SecretSignature hs256(String secret) {
        SecretSignatureConfiguration config = new SecretSignatureConfiguration("generator");
        config.setSecret(secret);
        config.setJwsAlgorithm(JWSAlgorithm.HS256);
        return new SecretSignature(config);
    }
}
