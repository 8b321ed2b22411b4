package health.consent.service.security;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.security.token.jwt.signature.SignatureConfiguration;
import io.micronaut.security.token.jwt.signature.jwks.JwksSignatureConfiguration;
import java.util.List;

/**
 * Outside the {@code dev} environment, refuses to start a service that could not validate any
 * token: it would answer 401 to everyone and look like an outage rather than a configuration
 * mistake.
 */
@Context
@Requires(notEnv = Environment.DEVELOPMENT)
public class TokenValidationGuard {

    public TokenValidationGuard(List<SignatureConfiguration> signatures, List<JwksSignatureConfiguration> keySets) {
        if (signatures.isEmpty() && keySets.isEmpty()) {
            throw new ConfigurationException("No token validation is configured: set JWT_JWKS_URL to the identity "
                    + "provider's JWKS address, or JWT_SECRET to a shared HS256 secret of at least 32 bytes. "
                    + "(The dev environment, MICRONAUT_ENVIRONMENTS=dev, makes its own development secret.)");
        }
    }
}
