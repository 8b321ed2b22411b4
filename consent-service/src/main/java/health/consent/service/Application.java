package health.consent.service;

import health.consent.service.ops.JarResources;
import health.consent.service.ops.ServiceIndex;
import health.consent.service.ops.TrainingRun;
import io.micronaut.context.ApplicationContext;
import io.micronaut.core.io.scan.ClassPathResourceLoader;
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
        Map<String, Object> settings;
        try {
            settings = settings(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("The service cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        ServiceIndex.install();
        boolean training = TrainingRun.requested();
        if (training) {
            // Any free port, on loopback only: the training run's development tokens stay on this machine.
            settings.put("micronaut.server.port", -1);
            settings.put("micronaut.server.host", "127.0.0.1");
        }
        ApplicationContext context = readingTheJar().args(args)
                .mainClass(Application.class)
                .properties(settings)
                .start();
        if (training) {
            TrainingRun.exercise(context);
        }
    }

    /** The framework, reading its configuration files through the class loader's jar ({@link JarResources}). */
    static Micronaut readingTheJar() {
        return new Micronaut() {
            private ClassPathResourceLoader resources;

            @Override
            public ClassPathResourceLoader getResourceLoader() {
                if (resources == null) {
                    ClassLoader loader = getClassLoader();
                    resources = new JarResources(loader != null ? loader : Micronaut.class.getClassLoader());
                }
                return resources;
            }
        };
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
            requireKnownHosts("JDBC_URL", url);
            settings.put("datasources.default.url", url);
            settings.put("datasources.default.username", env.getOrDefault("JDBC_USER", ""));
            settings.put("datasources.default.password", env.getOrDefault("JDBC_PASSWORD", ""));
        }
        String read = env.get("JDBC_READ_URL");
        if (read != null && !read.isBlank()) {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("JDBC_READ_URL names a read replica of the PostgreSQL database of "
                        + "JDBC_URL, which is not set: set JDBC_URL too, or leave JDBC_READ_URL unset");
            }
            requireKnownHosts("JDBC_READ_URL", read);
            String prefix = "datasources." + health.consent.service.db.Db.REPLICA + ".";
            settings.put(prefix + "url", read);
            settings.put(prefix + "username", env.getOrDefault("JDBC_READ_USER", env.getOrDefault("JDBC_USER", "")));
            settings.put(prefix + "password",
                    env.getOrDefault("JDBC_READ_PASSWORD", env.getOrDefault("JDBC_PASSWORD", "")));
            settings.put(prefix + "dialect", "POSTGRES");
            settings.put(prefix + "read-only", true);
            settings.put(prefix + "maximum-pool-size", 8);
            settings.put(prefix + "connection-timeout", 2000);
            settings.put(prefix + "exception-override-class-name", "health.consent.service.db.EvictBrokenConnections");
        }
        return settings;
    }

    /**
     * Refuses a PostgreSQL URL that is not one, or names a host that does not resolve: a typing
     * mistake in a multi-host URL would otherwise show only on the day of a failover.
     */
    static void requireKnownHosts(String setting, String url) {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(setting + " must be a PostgreSQL URL (jdbc:postgresql://host:port/database)"
                    + ", not " + url.replaceAll("password=[^&]*", "password=..."));
        }
        String prefix = "jdbc:postgresql://";
        if (!url.startsWith(prefix)) {
            return; // jdbc:postgresql:database, on the local host.
        }
        String rest = url.substring(prefix.length());
        int end = rest.length();
        for (char c : new char[] {'/', '?'}) {
            int i = rest.indexOf(c);
            end = i >= 0 ? Math.min(end, i) : end;
        }
        String hosts = rest.substring(0, end);
        for (String hostPort : hosts.split(",")) {
            String host = hostPort.startsWith("[") ? hostPort.substring(1, hostPort.indexOf(']'))
                    : hostPort.replaceFirst(":\\d*$", "");
            if (host.isBlank()) {
                throw new IllegalArgumentException(setting + " names an empty host: " + hosts);
            }
            try {
                java.net.InetAddress.getByName(host);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(setting + " names host '" + host + "', which does not resolve");
            }
        }
    }

    /**
     * H2 in PostgreSQL mode, so that one set of SQL serves both databases, writing every commit
     * to disk before it is acknowledged ({@code WRITE_DELAY=0}; H2's default keeps up to half a
     * second of acknowledged commits in memory, which a killed process loses). The service closes
     * the database when it stops, after its background passes ({@code DB_CLOSE_ON_EXIT=FALSE}: H2's
     * own hook would close it under them first, and every stop would log their failures).
     */
    public static String h2Url(Path directory) {
        return "jdbc:h2:file:" + directory.toAbsolutePath().normalize().resolve("consent")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }
}
