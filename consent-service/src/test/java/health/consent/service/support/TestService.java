package health.consent.service.support;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** A real service on a random port, reached over real HTTP like any client would. */
public final class TestService implements AutoCloseable {

    private final EmbeddedServer server;
    private final Map<String, Object> properties;
    private final String[] environments;

    private TestService(Map<String, Object> properties, String... environments) {
        this.properties = properties;
        this.environments = environments;
        this.server = ApplicationContext.builder()
                .properties(properties)
                .environments(environments)
                .deduceEnvironment(false)
                .start()
                .getBean(EmbeddedServer.class)
                .start();
    }

    /** A service in the {@code test} environment on the given database, validating {@link Tokens}. */
    public static TestService start(Map<String, Object> database) {
        return start(database, Map.of(), "test");
    }

    public static TestService start(Map<String, Object> database, Map<String, Object> extra, String... environments) {
        Map<String, Object> p = new HashMap<>(database);
        p.put("micronaut.server.port", -1);
        p.put("consent.auth.jwt-secret", Tokens.SECRET);
        p.putAll(extra);
        return new TestService(p, environments);
    }

    /** A new service on the same database and settings, after this one stopped. */
    public TestService restart() {
        close();
        return new TestService(properties, environments);
    }

    public URI uri() {
        return server.getURI();
    }

    public ApplicationContext context() {
        return server.getApplicationContext();
    }

    /** Runs SQL directly on the service's database, behind its back: for tests of what the database holds. */
    public void sql(String statement) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                (String) properties.get("datasources.default.url"),
                (String) properties.get("datasources.default.username"),
                (String) properties.get("datasources.default.password"));
             java.sql.Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(statement, e);
        }
    }

    public Api api() {
        return new Api(uri(), context());
    }

    @Override
    public void close() {
        if (server.isRunning()) {
            server.getApplicationContext().close();
        }
    }
}
