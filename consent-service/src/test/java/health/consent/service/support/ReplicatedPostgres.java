package health.consent.service.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * Two real PostgreSQL servers in streaming replication on loopback: a primary and a hot standby
 * made from a copy of the primary's stopped data folder (a cold base backup), replicating
 * synchronously ({@code synchronous_standby_names}), so that a commit is acknowledged only once
 * the standby has it. The primary can be killed as a machine dies (SIGKILL to every one of its
 * processes) and the standby promoted.
 */
public final class ReplicatedPostgres implements AutoCloseable {

    public static final String DATABASE = "consent";
    private static final String STANDBY_NAME = "standby1";

    private final Path base;
    private final int primaryPort;
    private final int standbyPort;
    private final boolean synchronous;
    private EmbeddedPostgres primary;
    private EmbeddedPostgres standby;

    private ReplicatedPostgres(Path base, int primaryPort, int standbyPort, boolean synchronous) {
        this.base = base;
        this.synchronous = synchronous;
        this.primaryPort = primaryPort;
        this.standbyPort = standbyPort;
    }

    /** Starts both servers, with database {@value #DATABASE} on both, and waits for synchronous streaming. */
    public static ReplicatedPostgres start() {
        return start(true);
    }

    /**
     * Starts both servers, with database {@value #DATABASE} on both, and waits for streaming:
     * synchronous (a commit waits for the standby) or asynchronous (a read replica, which may lag
     * and may be stopped without stopping writes).
     */
    public static ReplicatedPostgres start(boolean synchronous) {
        try {
            Path base = Files.createTempDirectory("consent-replicated-");
            ReplicatedPostgres pair = new ReplicatedPostgres(base, freePort(), freePort(), synchronous);
            pair.startPair();
            return pair;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the replicated PostgreSQL pair", e);
        }
    }

    private void startPair() throws IOException {
        Path primaryDir = base.resolve("primary");
        Path standbyDir = base.resolve("standby");
        try (EmbeddedPostgres first = server(primaryDir, primaryPort).start()) {
            execute(url(primaryPort, "postgres"), "CREATE DATABASE " + DATABASE);
        }
        copy(primaryDir, standbyDir);
        Files.writeString(standbyDir.resolve("standby.signal"), "");
        Files.writeString(standbyDir.resolve("postgresql.auto.conf"),
                "\nprimary_conninfo = 'host=127.0.0.1 port=" + primaryPort + " user=postgres application_name="
                        + STANDBY_NAME + "'\n", StandardOpenOption.APPEND);
        primary = server(primaryDir, primaryPort)
                .setServerConfig("synchronous_standby_names", synchronous ? STANDBY_NAME : "").start();
        standby = server(standbyDir, standbyPort).start();
        String state = synchronous ? "sync" : "async";
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> state.equals(queryString(url(primaryPort, "postgres"),
                        "SELECT sync_state FROM pg_stat_replication WHERE application_name = '" + STANDBY_NAME + "'")));
    }

    private static EmbeddedPostgres.Builder server(Path dir, int port) {
        return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port)
                .setRegisterShutdownHook(true)
                .setServerConfig("wal_level", "replica")
                .setServerConfig("max_wal_senders", "4")
                .setServerConfig("hot_standby", "on")
                // PostgreSQL's own default, which the embedded server turns off for speed: a commit is
                // acknowledged once it is on disk, and on the synchronous standby.
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                String name = source.getFileName().toString();
                if (name.equals("postmaster.pid") || name.equals("epg-lock")) {
                    continue;
                }
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        // PostgreSQL wants its data folder private to its user.
        to.toFile().setReadable(false, false);
        to.toFile().setReadable(true, true);
        to.toFile().setExecutable(false, false);
        to.toFile().setExecutable(true, true);
        to.toFile().setWritable(false, false);
        to.toFile().setWritable(true, true);
    }

    /** The service's URL: both hosts, the primary wanted, hosts rechecked quickly after a failover. */
    public String multiHostUrl() {
        return "jdbc:postgresql://127.0.0.1:" + primaryPort + ",127.0.0.1:" + standbyPort + "/" + DATABASE
                + "?targetServerType=primary&hostRecheckSeconds=1&connectTimeout=2";
    }

    public String primaryUrl() {
        return url(primaryPort, DATABASE);
    }

    public String standbyUrl() {
        return url(standbyPort, DATABASE);
    }

    private static String url(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /** Kills the primary as a machine dies: SIGKILL to the postmaster and every process it started. */
    public void killPrimary() {
        ProcessHandle postmaster = postmaster(base.resolve("primary"));
        postmaster.descendants().forEach(ProcessHandle::destroyForcibly);
        postmaster.destroyForcibly();
        postmaster.onExit().join();
    }

    /** The running postmaster of a data folder: the first line of its {@code postmaster.pid}. */
    private static ProcessHandle postmaster(Path dataDir) {
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster " + pid));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Promotes the standby to primary and waits until it takes writes. */
    public void promoteStandby() {
        execute(url(standbyPort, "postgres"), "SELECT pg_promote(true, 60)");
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "f".equals(queryString(url(standbyPort, "postgres"), "SELECT pg_is_in_recovery()")));
    }

    /** Stops the standby (cleanly); an asynchronous primary goes on alone. */
    public void stopStandby() {
        try {
            standby.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        standby = null;
    }

    /** Stops replaying on the standby (it keeps receiving), so that it lags behind the primary. */
    public void pauseStandbyReplay() {
        execute(url(standbyPort, "postgres"), "SELECT pg_wal_replay_pause()");
    }

    public void resumeStandbyReplay() {
        execute(url(standbyPort, "postgres"), "SELECT pg_wal_replay_resume()");
    }

    private static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static String queryString(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (EmbeddedPostgres server : new EmbeddedPostgres[] {standby, primary}) {
            if (server == null) {
                continue;
            }
            try {
                server.close();
            } catch (IOException | RuntimeException e) {
                // A killed server has nothing left to stop.
            }
        }
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Temporary files: the system clears them in the end.
        }
    }
}
