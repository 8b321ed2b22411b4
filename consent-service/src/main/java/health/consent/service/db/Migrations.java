package health.consent.service.db;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.naming.NameResolver;
import io.micronaut.jdbc.DataSourceResolver;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary database is migrated by Flyway as soon as its pool is made, before anything can use
 * it; a start fails when Flyway fails, as when the database holds migrations that differ from the
 * service's.
 *
 * <p>Flyway is not run at all when nothing has changed since it last succeeded here: the service's
 * migrations (every file under {@code db/migration}, SQL scripts and the classes of the Java
 * migrations alike), Flyway's version, this class (which holds Flyway's configuration) and the
 * database's schema history (every row Flyway judges by) give the same digest as the one stored
 * after that success. Flyway would then find nothing to apply and nothing to refuse; running it
 * took a fifth of a later start's main thread (half of that copying its own configuration through a
 * JSON mapper it builds). Any difference, a history that cannot be read, migrations that cannot be
 * listed (an unknown kind of class path), or a file in the location that Flyway would act on at
 * every run (a callback, a repeatable migration, anything but a versioned SQL script or a class),
 * and Flyway runs and judges, as it always did.
 *
 * <p>A file, and this class, enter the digest by their name, length and CRC-32 rather than byte for
 * byte: hashing the 44 KB of migrations with SHA-256, in the interpreter at start-up, took 25 ms of
 * every start, where a CRC-32 is computed natively. A file added, removed, renamed or resized always
 * changes the digest, and so does any edit of up to 32 consecutive bits; any other edit that keeps
 * the length leaves it unchanged about once in four billion times. (Flyway's own checksum of a
 * script is a CRC-32 too, of its lines.) Forging a collision would take write access to the jar,
 * which gives far more than that.
 */
@Singleton
public class Migrations implements BeanCreatedEventListener<DataSource> {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    static final String LOCATION = "db/migration";
    private static final String FLYWAY_VERSION = "org/flywaydb/core/internal/version.txt";

    private final DataSourceResolver resolver;

    public Migrations(DataSourceResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public DataSource onCreated(BeanCreatedEvent<DataSource> event) {
        // The primary only: a read replica follows it and cannot be written.
        boolean primary = event.getBeanDefinition() instanceof NameResolver named
                && named.resolveName().map("default"::equals).orElse(false);
        if (primary) {
            migrate(resolver.resolve(event.getBean()), Migrations.class.getClassLoader());
        }
        return event.getBean();
    }

    /** Migrates {@code database} unless nothing changed since the last success; true when Flyway ran. */
    static boolean migrate(DataSource database, ClassLoader loader) {
        String code = ofMigrations(loader);
        if (code != null) {
            try (Connection c = database.getConnection()) {
                String stored = stored(c);
                if (stored != null && stored.equals(digest(code, history(c)))) {
                    LOG.info("Schema unchanged since its last migration: Flyway not run");
                    return false;
                }
                LOG.info(stored == null ? "No schema fingerprint stored: Flyway runs"
                        : "Migrations or schema history changed since the last migration: Flyway runs");
            } catch (SQLException e) {
                // A new database (no history yet) or one whose history cannot be read: Flyway's to judge.
                LOG.info("Schema history not read ({}): Flyway runs", e.toString());
            }
        }
        Flyway.configure(loader).dataSource(database).locations("classpath:" + LOCATION).load().migrate();
        if (code != null) {
            try (Connection c = database.getConnection();
                 PreparedStatement s = c.prepareStatement("UPDATE schema_fingerprint SET fingerprint = ? WHERE id = 1")) {
                s.setString(1, digest(code, history(c)));
                if (s.executeUpdate() != 1) {
                    LOG.warn("Schema fingerprint not stored: its row is missing");
                }
            } catch (SQLException e) {
                // The next start runs Flyway again: slower, never less safe.
                LOG.warn("Schema fingerprint not stored: {}", e.toString());
            }
        }
        return true;
    }

    /** The digest stored at the last success; null on a database that has none (new, or older than V18). */
    private static String stored(Connection c) throws SQLException {
        // Asked first, so that a new database does not log an error for a missing table.
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE "
                     + "LOWER(table_name) = 'schema_fingerprint' AND LOWER(table_schema) = LOWER(CURRENT_SCHEMA)")) {
            if (!rs.next() || rs.getInt(1) == 0) {
                return null;
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT fingerprint FROM schema_fingerprint WHERE id = 1")) {
            return rs.next() && !rs.getString(1).isEmpty() ? rs.getString(1) : null;
        }
    }

    /** The schema history as Flyway validates it: every migration applied, in order, and how. */
    static String history(Connection c) throws SQLException {
        StringBuilder rows = new StringBuilder();
        // Quoted as Flyway creates them, so that H2 finds them whatever its case setting.
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"installed_rank\", \"version\", \"description\", \"type\", "
                     + "\"script\", \"checksum\", \"success\" FROM \"flyway_schema_history\" ORDER BY \"installed_rank\"")) {
            while (rs.next()) {
                for (int i = 1; i <= 7; i++) {
                    rows.append(rs.getString(i)).append('\u001f');
                }
                rows.append('\n');
            }
        }
        return rows.toString();
    }

    static String digest(String migrations, String history) {
        MessageDigest d = sha256();
        d.update(migrations.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(history.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d.digest());
    }

    /**
     * A digest of every file under {@code db/migration} on the class path and of Flyway's version;
     * null when they cannot all be read (Flyway then runs).
     */
    static String ofMigrations(ClassLoader loader) {
        try {
            Map<String, byte[]> files = new TreeMap<>();
            Enumeration<URL> roots = loader.getResources(LOCATION);
            while (roots.hasMoreElements()) {
                if (!read(roots.nextElement(), files)) {
                    return null;
                }
            }
            for (String name : files.keySet()) {
                String file = name.substring(name.lastIndexOf('/') + 1);
                if (!(file.endsWith(".class") || file.matches("V[0-9._]+__[^/]*\\.sql"))) {
                    LOG.info("{} is acted on at every run: Flyway runs", name);
                    return null;
                }
            }
            return files.isEmpty() ? null : ofFiles(files, flywayVersion(loader) + "\n" + configuration(loader));
        } catch (IOException | URISyntaxException | RuntimeException e) {
            LOG.info("Migrations not listed ({}): Flyway runs", e.toString());
            return null;
        }
    }

    static String ofFiles(Map<String, byte[]> files, String tooling) {
        MessageDigest d = sha256();
        d.update(tooling.getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            d.update((byte) 0);
            d.update(f.getKey().getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(lengthAndCrc32(f.getValue()).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /**
     * The length of {@code bytes} and their CRC-32 in hexadecimal, as a file enters the digest (the
     * CRC computed natively, even before any code is compiled).
     */
    private static String lengthAndCrc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return bytes.length + " " + Long.toHexString(crc.getValue());
    }

    /** Adds the files under one root of the location; false when the root is of a kind not read here, or repeats a file. */
    private static boolean read(URL root, Map<String, byte[]> files) throws IOException, URISyntaxException {
        switch (root.getProtocol()) {
            case "file" -> {
                Path dir = Path.of(root.toURI());
                List<Path> found;
                try (Stream<Path> walk = Files.walk(dir)) {
                    found = walk.filter(Files::isRegularFile).toList();
                }
                for (Path p : found) {
                    String name = LOCATION + "/" + dir.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                    if (files.put(name, Files.readAllBytes(p)) != null) {
                        return false;
                    }
                }
                return true;
            }
            case "jar" -> {
                URLConnection connection = root.openConnection();
                if (!(connection instanceof JarURLConnection jarConnection)) {
                    return false;
                }
                // A JarFile of its own, closed here, rather than one shared through the cache.
                jarConnection.setUseCaches(false);
                try (JarFile jar = jarConnection.getJarFile()) {
                    for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                        JarEntry e = entries.nextElement();
                        if (e.isDirectory() || !e.getName().startsWith(LOCATION + "/")) {
                            continue;
                        }
                        try (InputStream in = jar.getInputStream(e)) {
                            if (files.put(e.getName(), in.readAllBytes()) != null) {
                                return false;
                            }
                        }
                    }
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * How Flyway is called: this class, by its length and CRC-32 (as above), so that a change to it
     * changes the digest.
     */
    private static String configuration(ClassLoader loader) throws IOException {
        byte[] bytes = resource(loader, Migrations.class.getName().replace('.', '/') + ".class");
        return lengthAndCrc32(bytes);
    }

    private static String flywayVersion(ClassLoader loader) throws IOException {
        return new String(resource(loader, FLYWAY_VERSION), StandardCharsets.UTF_8).trim();
    }

    private static byte[] resource(ClassLoader loader, String name) throws IOException {
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no " + name);
            }
            return in.readAllBytes();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
