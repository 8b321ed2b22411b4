package health.consent.service.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Flyway runs at start-up unless the service's migrations and the database's schema history are
 * both as its last success left them; any difference and Flyway runs, and judges.
 */
class MigrationsTest {

    private static final ClassLoader LOADER = Migrations.class.getClassLoader();

    private static HikariDataSource pool(String db) {
        Map<String, Object> database = "H2".equals(db) ? Databases.h2() : Databases.postgres();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl((String) database.get("datasources.default.url"));
        config.setUsername((String) database.get("datasources.default.username"));
        config.setPassword((String) database.get("datasources.default.password"));
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    private static void run(HikariDataSource pool, String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(HikariDataSource pool, String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void a_new_database_is_migrated_and_a_start_on_it_unchanged_does_not_run_flyway(String db) throws SQLException {
        try (HikariDataSource pool = pool(db)) {
            assertThat(Migrations.migrate(pool, LOADER)).as("a new database").isTrue();
            long applied = count(pool, "SELECT COUNT(*) FROM \"flyway_schema_history\"");
            assertThat(count(pool, "SELECT COUNT(*) FROM schema_fingerprint WHERE fingerprint <> ''")).isEqualTo(1);

            assertThat(Migrations.migrate(pool, LOADER)).as("nothing changed").isFalse();
            assertThat(Migrations.migrate(pool, LOADER)).isFalse();
            assertThat(count(pool, "SELECT COUNT(*) FROM \"flyway_schema_history\"")).isEqualTo(applied);
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void a_history_that_differs_from_the_migrations_runs_flyway_which_refuses_it(String db) throws SQLException {
        try (HikariDataSource pool = pool(db)) {
            Migrations.migrate(pool, LOADER);
            run(pool, "UPDATE \"flyway_schema_history\" SET \"checksum\" = \"checksum\" + 1 WHERE \"version\" = '10'");

            assertThatThrownBy(() -> Migrations.migrate(pool, LOADER)).isInstanceOf(FlywayException.class)
                    .hasMessageContaining("checksum mismatch");
        }
    }

    /** A class loader that adds {@code files} (name under db/migration, text) to the service's, from a folder. */
    private static URLClassLoader withFolder(Path folder, Map<String, String> files) throws IOException {
        Files.createDirectories(folder.resolve("db/migration"));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(folder.resolve("db/migration/" + f.getKey()), f.getValue());
        }
        return new URLClassLoader(new URL[] {folder.toUri().toURL()}, LOADER);
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void a_migration_the_database_has_not_applied_runs_flyway_which_applies_it(String db, @TempDir Path extra)
            throws SQLException, IOException {
        try (HikariDataSource pool = pool(db);
             URLClassLoader newer = withFolder(extra, Map.of("V999__one_more.sql", "CREATE TABLE one_more (id INT PRIMARY KEY);"))) {
            Migrations.migrate(pool, LOADER);

            assertThat(Migrations.migrate(pool, newer)).as("one migration more").isTrue();
            assertThat(count(pool, "SELECT COUNT(*) FROM one_more")).isZero();
            assertThat(Migrations.migrate(pool, newer)).isFalse();

            // Edited after it was applied: Flyway runs, and refuses it.
            Files.writeString(extra.resolve("db/migration/V999__one_more.sql"), "CREATE TABLE one_more (id BIGINT PRIMARY KEY);");
            assertThatThrownBy(() -> Migrations.migrate(pool, newer)).isInstanceOf(FlywayException.class)
                    .hasMessageContaining("checksum mismatch");
        }
    }

    @Test
    void a_fingerprint_that_does_not_match_runs_flyway_and_is_stored_again() throws SQLException {
        try (HikariDataSource pool = pool("H2")) {
            Migrations.migrate(pool, LOADER);
            run(pool, "UPDATE schema_fingerprint SET fingerprint = 'not this one'");

            assertThat(Migrations.migrate(pool, LOADER)).isTrue();
            assertThat(Migrations.migrate(pool, LOADER)).isFalse();
        }
    }

    @Test
    void a_callback_or_a_repeatable_migration_in_the_location_runs_flyway_at_every_start(@TempDir Path extra)
            throws SQLException, IOException {
        try (HikariDataSource pool = pool("H2");
             URLClassLoader withCallback = withFolder(extra, Map.of("afterMigrate.sql", "SELECT 1;"))) {
            Migrations.migrate(pool, LOADER);

            assertThat(Migrations.ofMigrations(withCallback)).isNull();
            assertThat(Migrations.migrate(pool, withCallback)).isTrue();
            assertThat(Migrations.migrate(pool, withCallback)).isTrue();
        }
        Files.delete(extra.resolve("db/migration/afterMigrate.sql"));
        try (URLClassLoader withRepeatable = withFolder(extra, Map.of("R__view.sql", "SELECT 1;"))) {
            assertThat(Migrations.ofMigrations(withRepeatable)).isNull();
        }
    }

    @Test
    void migrations_in_a_jar_give_the_digest_they_give_in_a_folder(@TempDir Path dir) throws IOException {
        Map<String, String> files = Map.of("V998__a.sql", "CREATE TABLE a (id INT);", "V999__b.sql", "CREATE TABLE b (id INT);");
        Path jar = dir.resolve("more.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("db/"));
            out.putNextEntry(new JarEntry("db/migration/"));
            for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
                out.putNextEntry(new JarEntry("db/migration/" + f.getKey()));
                out.write(f.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        try (URLClassLoader fromJar = new URLClassLoader(new URL[] {jar.toUri().toURL()}, LOADER);
             URLClassLoader fromFolder = withFolder(dir.resolve("folder"), files)) {
            String inJar = Migrations.ofMigrations(fromJar);

            assertThat(inJar).isNotNull().isEqualTo(Migrations.ofMigrations(fromFolder))
                    .isNotEqualTo(Migrations.ofMigrations(LOADER));
        }
    }

    @Test
    void the_digest_of_the_migrations_changes_with_a_files_bytes_with_a_new_file_and_with_the_tooling() {
        Map<String, byte[]> files = new HashMap<>(Map.of("db/migration/V1__a.sql", "CREATE TABLE a (id INT);".getBytes(),
                "db/migration/V2__B.class", new byte[] {1, 2, 3}));
        String digest = Migrations.ofFiles(new TreeMap<>(files), "10.22.0");

        assertThat(Migrations.ofFiles(new TreeMap<>(files), "10.22.1")).isNotEqualTo(digest);
        files.put("db/migration/V2__B.class", new byte[] {1, 2, 4});
        assertThat(Migrations.ofFiles(new TreeMap<>(files), "10.22.0")).isNotEqualTo(digest);
        files.put("db/migration/V2__B.class", new byte[] {1, 2, 3});
        files.put("db/migration/V3__c.sql", new byte[0]);
        assertThat(Migrations.ofFiles(new TreeMap<>(files), "10.22.0")).isNotEqualTo(digest);
        assertThat(Migrations.ofMigrations(LOADER)).as("the service's own migrations are listed").isNotNull();
    }

    @Test
    void the_digest_changes_with_the_class_that_configures_flyway() {
        ClassLoader changed = new ClassLoader(LOADER) {
            @Override
            public java.io.InputStream getResourceAsStream(String name) {
                return name.equals(Migrations.class.getName().replace('.', '/') + ".class")
                        ? new java.io.ByteArrayInputStream(new byte[] {1}) : super.getResourceAsStream(name);
            }
        };

        assertThat(Migrations.ofMigrations(changed)).isNotNull().isNotEqualTo(Migrations.ofMigrations(LOADER));
    }

    @Test
    void the_service_started_again_on_its_database_does_not_run_flyway(@TempDir Path folder) {
        Map<String, Object> database = Databases.h2(folder);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger migrations = (Logger) LoggerFactory.getLogger(Migrations.class);
        migrations.addAppender(captured);
        try {
            try (TestService first = TestService.start(database)) {
                assertThat(first.api().get("/health", null).status()).isEqualTo(200);
            }
            assertThat(captured.list).noneMatch(e -> e.getFormattedMessage().contains("Flyway not run"));
            try (TestService again = TestService.start(database)) {
                assertThat(again.api().get("/health", null).status()).isEqualTo(200);
            }
            assertThat(captured.list).anyMatch(e -> e.getFormattedMessage().contains("Flyway not run"));
        } finally {
            migrations.detachAppender(captured);
        }
    }
}
