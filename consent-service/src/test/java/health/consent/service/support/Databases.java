package health.consent.service.support;

import health.consent.service.Application;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The databases the suite runs against: H2 files in a temporary folder, and a real PostgreSQL,
 * either the server named by {@code JDBC_URL} (with {@code JDBC_USER}, {@code JDBC_PASSWORD}) or
 * one embedded from Maven and started once per test run. Each call gives a new, empty database.
 */
public final class Databases {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres embedded;

    private Databases() {
    }

    /**
     * Each access record's id and its leaf in the audit log (null until it is in it), as a table to
     * select from: {@code SELECT COUNT(DISTINCT leaf_index) FROM (ACCESS_LEAVES) l}. A record logged
     * before batches keeps its own {@code leaf_index}; any other takes its batch's first leaf plus its
     * position.
     */
    public static final String ACCESS_LEAVES = "SELECT r.id, COALESCE(r.leaf_index, b.first_leaf + r.leaf_position) "
            + "AS leaf_index FROM access_record r LEFT JOIN access_batch b ON b.id = r.batch_id";

    public static Map<String, Object> h2() {
        try {
            return h2(Files.createTempDirectory("consent-h2-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Object> h2(Path directory) {
        Map<String, Object> p = new HashMap<>();
        p.put("datasources.default.url", Application.h2Url(directory));
        p.put("datasources.default.username", "sa");
        p.put("datasources.default.password", "");
        return p;
    }

    /**
     * A fresh PostgreSQL database. Its text sorts by French linguistic rules (ICU), as a national
     * deployment's would, not bytewise: SQL that assumes the bytes' order fails here; a server
     * without ICU gives its default.
     */
    public static synchronized Map<String, Object> postgres() {
        String name = "consent_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try {
            admin("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'fr-FR' "
                    + "LOCALE 'C'");
        } catch (IllegalStateException noIcu) {
            admin("CREATE DATABASE " + name);
        }
        String[] server = server();
        Map<String, Object> p = new HashMap<>();
        p.put("datasources.default.url", replaceDatabase(server[0], name));
        p.put("datasources.default.username", server[1]);
        p.put("datasources.default.password", server[2]);
        return p;
    }

    /** Runs a statement as the PostgreSQL server's administrator: to create databases, or take one away. */
    public static void admin(String statement) {
        String[] server = server();
        try (Connection c = DriverManager.getConnection(server[0], server[1], server[2]);
             Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement, e);
        }
    }

    /** The administrator's URL, user and password: of JDBC_URL's server, or of the embedded one. */
    private static String[] server() {
        String external = System.getenv("JDBC_URL");
        if (external != null && external.startsWith("jdbc:postgresql:")) {
            return new String[] {external, System.getenv().getOrDefault("JDBC_USER", ""),
                    System.getenv().getOrDefault("JDBC_PASSWORD", "")};
        }
        return new String[] {embedded().getJdbcUrl("postgres", "postgres"), "postgres", ""};
    }

    /** The database name in a PostgreSQL URL. */
    public static String databaseName(Map<String, Object> database) {
        String url = (String) database.get("datasources.default.url");
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?', slash);
        return url.substring(slash + 1, query < 0 ? url.length() : query);
    }

    private static synchronized EmbeddedPostgres embedded() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException ignored) {
                    // The JVM is exiting; the server's folder is temporary.
                }
            }));
        }
        return embedded;
    }

    private static String replaceDatabase(String url, String database) {
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?', slash);
        String rest = query < 0 ? "" : url.substring(query);
        return url.substring(0, slash + 1) + database + rest;
    }
}
