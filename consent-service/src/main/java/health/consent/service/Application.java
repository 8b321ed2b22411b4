package health.consent.service;

import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

@OpenAPIDefinition(
        info = @Info(title = "Consent service", version = "1",
                description = "Modular, free and transparent consent for the health applications of a national catalogue.",
                license = @License(name = "Apache-2.0")),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.build(args)
                .mainClass(Application.class)
                .properties(settings(System.getenv()))
                .start();
    }

    /** The settings that come from the environment in ways a property placeholder cannot express. */
    public static Map<String, Object> settings(Map<String, String> env) {
        Map<String, Object> settings = storageSettings(env);
        String jwks = env.get("JWT_JWKS_URL");
        if (jwks != null && !jwks.isBlank()) {
            settings.put(JWKS_URL_PROPERTY, jwks);
        }
        // Optional: tokens must come from this issuer, for this audience.
        String issuer = env.get("JWT_ISSUER");
        if (issuer != null && !issuer.isBlank()) {
            settings.put("micronaut.security.token.jwt.claims-validators.issuer", issuer);
        }
        String audience = env.get("JWT_AUDIENCE");
        if (audience != null && !audience.isBlank()) {
            settings.put("micronaut.security.token.jwt.claims-validators.audience", audience);
        }
        return settings;
    }

    /** Micronaut's JWKS validation: non-blocking, with the key set cached and refreshed on unknown key ids. */
    public static final String JWKS_URL_PROPERTY = "micronaut.security.token.jwt.signatures.jwks.identity-provider.url";

    /**
     * Where the data lives: PostgreSQL when {@code JDBC_URL} is set, otherwise an H2 file
     * database under {@code CONSENT_DATA_DIR} (default {@code ./data}).
     */
    public static Map<String, Object> storageSettings(Map<String, String> env) {
        Map<String, Object> settings = new HashMap<>();
        String url = env.get("JDBC_URL");
        if (url == null || url.isBlank()) {
            String dir = env.getOrDefault("CONSENT_DATA_DIR", "./data");
            settings.put("datasources.default.url", h2Url(Path.of(dir.isBlank() ? "./data" : dir)));
            settings.put("datasources.default.username", "sa");
            settings.put("datasources.default.password", "");
        } else {
            settings.put("datasources.default.url", url);
            settings.put("datasources.default.username", env.getOrDefault("JDBC_USER", ""));
            settings.put("datasources.default.password", env.getOrDefault("JDBC_PASSWORD", ""));
        }
        return settings;
    }

    /**
     * H2 in PostgreSQL mode, so that one set of SQL serves both databases, writing every commit
     * to disk before it is acknowledged ({@code WRITE_DELAY=0}; H2's default keeps up to half a
     * second of acknowledged commits in memory, which a killed process loses).
     */
    public static String h2Url(Path directory) {
        return "jdbc:h2:file:" + directory.toAbsolutePath().normalize().resolve("consent")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";
    }
}
