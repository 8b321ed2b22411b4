package health.consent.service.support;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** A real service on a random port, reached over real HTTP like any client would. */
public final class TestService implements AutoCloseable {

    private final EmbeddedServer server;
    private final URI uri;
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
        this.uri = server.getURI();
    }

    /** A service in the {@code test} environment on the given database, validating {@link Tokens}. */
    public static TestService start(Map<String, Object> database) {
        return start(database, Map.of(), "test");
    }

    public static TestService start(Map<String, Object> database, Map<String, Object> extra, String... environments) {
        Map<String, Object> p = new HashMap<>(database);
        p.put("micronaut.server.port", freePort());
        // A stopped service lets its port go at once, even while clients keep knocking, so that
        // tests can start it again on the same port.
        for (String loop : new String[] {"micronaut.server.netty.parent", "micronaut.server.netty.worker",
                "micronaut.netty.event-loops.default"}) {
            p.put(loop + ".shutdown-quiet-period", "0s");
            p.put(loop + ".shutdown-timeout", "1s");
        }
        p.put("consent.auth.jwt-secret", Tokens.SECRET);
        p.put("consent.metrics.token", Tokens.METRICS);
        p.put("consent.audit.signing-key", AuditKeys.PRIVATE_KEY);
        p.putAll(extra);
        return new TestService(p, environments);
    }

    /**
     * A free port below the range the system gives to outgoing connections (32768 and up on
     * Linux), so that a service restarted on its port never finds it taken by a client's socket.
     */
    private static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (java.net.ServerSocket probe = new java.net.ServerSocket(port)) {
                probe.setReuseAddress(true);
                return port;
            } catch (java.io.IOException taken) {
                // Try another.
            }
        }
        throw new IllegalStateException("no free port found between 20000 and 32000");
    }

    /** A new service on the same database, settings and port, after this one stopped. */
    public TestService restart() {
        close();
        return startAgain();
    }

    /** A new service on the same database, settings and port; this one must be closed. */
    public TestService startAgain() {
        Map<String, Object> same = new HashMap<>(properties);
        same.put("micronaut.server.port", uri().getPort());
        return new TestService(same, environments);
    }

    /** A number read directly from the service's database. */
    public long count(String query) {
        java.util.List<Long> rows = rows(query, rs -> rs.getLong(1));
        if (rows.isEmpty()) {
            throw new IllegalStateException(query + ": no row");
        }
        return rows.get(0);
    }

    /** The bytes of the first row a query answers, read directly from the service's database. */
    public byte[] bytes(String query) {
        java.util.List<byte[]> rows = rows(query, rs -> rs.getBytes(1));
        if (rows.isEmpty()) {
            throw new IllegalStateException(query + ": no row");
        }
        return rows.get(0);
    }

    /** The first column of every row a query answers, as text, read directly from the service's database. */
    public java.util.List<String> strings(String query) {
        return rows(query, rs -> rs.getString(1));
    }

    private interface Row<T> {
        T read(java.sql.ResultSet rs) throws java.sql.SQLException;
    }

    private <T> java.util.List<T> rows(String query, Row<T> row) {
        try (java.sql.Connection c = connection();
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery(query)) {
            java.util.List<T> rows = new java.util.ArrayList<>();
            while (rs.next()) {
                rows.add(row.read(rs));
            }
            return rows;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(query, e);
        }
    }

    /** A connection of its own to the service's database, behind the service's back (the caller closes it). */
    public java.sql.Connection connection() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection((String) properties.get("datasources.default.url"),
                (String) properties.get("datasources.default.username"),
                (String) properties.get("datasources.default.password"));
    }

    public URI uri() {
        return uri;
    }

    public ApplicationContext context() {
        return server.getApplicationContext();
    }

    /** Runs SQL directly on the service's database, behind its back: for tests of what the database holds. */
    public void sql(String statement) {
        try (java.sql.Connection c = connection();
             java.sql.Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(statement, e);
        }
    }

    /** The same, with parameters (bytes, numbers, text), for what a literal would write differently on each database. */
    public void sql(String statement, Object... params) {
        try (java.sql.Connection c = connection();
             java.sql.PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.execute();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(statement, e);
        }
    }

    public Api api() {
        return new Api(uri(), context());
    }

    /** The value of a meter on {@code /prometheus} (summed over its tags); NaN when it is not there. */
    public double metric(String name) {
        double[] values = api().get("/prometheus", Tokens.METRICS).body().lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toArray();
        return values.length == 0 ? Double.NaN : java.util.Arrays.stream(values).sum();
    }

    @Override
    public void close() {
        if (server.isRunning()) {
            server.getApplicationContext().close();
        }
    }
}
