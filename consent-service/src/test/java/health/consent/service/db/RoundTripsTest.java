package health.consent.service.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import health.consent.service.support.OnBothDatabases;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL: what {@link Db#both} and {@link Db#atCommit} promise in round trips, counted as the
 * driver's {@code Sync} messages (the driver sends one at the end of each batch of messages, then
 * waits for the server's answers up to its {@code ReadyForQuery}), on this test's thread alone.
 */
class RoundTripsTest extends OnBothDatabases {

    /** The driver's protocol logger: at FINEST it logs each message it sends. */
    private static final Logger PROTOCOL = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");

    private final AtomicInteger syncs = new AtomicInteger();
    private final long thread = Thread.currentThread().getId();
    private final Handler counter = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLongThreadID() == thread && " FE=> Sync".equals(record.getMessage())) {
                syncs.incrementAndGet();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level level;
    private boolean parentHandlers;
    private Db db;
    private Transactions transactions;
    private String key;

    @BeforeEach
    void countSyncs() {
        assumeTrue("PostgreSQL".equals(database), "H2 runs in this process: no round trips");
        service.sql("CREATE TABLE IF NOT EXISTS round_trip_probe (k VARCHAR(64) PRIMARY KEY, v BIGINT NOT NULL)");
        db = service.context().getBean(Db.class);
        transactions = service.context().getBean(Transactions.class);
        key = UUID.randomUUID().toString();
        level = PROTOCOL.getLevel();
        parentHandlers = PROTOCOL.getUseParentHandlers();
        counter.setLevel(Level.ALL);
        PROTOCOL.setUseParentHandlers(false);
        PROTOCOL.addHandler(counter);
        PROTOCOL.setLevel(Level.FINEST);
    }

    @AfterEach
    void stopCounting() {
        if (db != null) {
            PROTOCOL.removeHandler(counter);
            PROTOCOL.setLevel(level);
            PROTOCOL.setUseParentHandlers(parentHandlers);
        }
    }

    private static final Db.Read<Long> ONE = new Db.Read<>("SELECT ?::bigint", rs -> rs.getLong(1), 1L);
    private static final Db.Read<Long> TWO = new Db.Read<>("SELECT ?::bigint + 1", rs -> rs.getLong(1), 1L);

    @Test
    void two_reads_sent_together_are_one_round_trip_and_two_reads_one_after_the_other_two() {
        int[] trips = transactions.write(() -> {
            // The transaction's BEGIN goes with its first statement: read once, so that neither count carries it.
            db.list(ONE);
            int before = syncs.get();
            Db.Both<Long, Long> both = db.both(ONE, TWO);
            assertThat(both.first()).containsExactly(1L);
            assertThat(both.second()).containsExactly(2L);
            int together = syncs.get() - before;
            before = syncs.get();
            db.list(ONE);
            db.list(TWO);
            return new int[] {together, syncs.get() - before};
        });
        assertThat(trips[1]).as("two reads one after the other: the count sees each").isEqualTo(2);
        assertThat(trips[0]).as("two reads sent together").isEqualTo(1);
    }

    @Test
    void statements_left_for_the_commit_go_with_it_in_one_round_trip() {
        int[] before = new int[1];
        transactions.write(() -> {
            db.update("INSERT INTO round_trip_probe (k, v) VALUES (?, 1)", key);
            before[0] = syncs.get();
            db.atCommit("UPDATE round_trip_probe SET v = v + 1 WHERE k = ?", key);
            db.atCommit("UPDATE round_trip_probe SET v = v * 10 WHERE k = ?", key);
            assertThat(syncs.get()).as("nothing sent while the write runs").isEqualTo(before[0]);
            return null;
        });
        int withCommit = syncs.get() - before[0];
        assertThat(db.one("SELECT v FROM round_trip_probe WHERE k = ?", rs -> rs.getLong(1), key)).contains(20L);

        String other = key + "-direct";
        transactions.write(() -> {
            db.update("INSERT INTO round_trip_probe (k, v) VALUES (?, 1)", other);
            before[0] = syncs.get();
            db.update("UPDATE round_trip_probe SET v = v + 1 WHERE k = ?", other);
            db.update("UPDATE round_trip_probe SET v = v * 10 WHERE k = ?", other);
            return null;
        });
        int direct = syncs.get() - before[0];
        assertThat(direct).as("the same two statements run directly, then the commit: the count sees each").isEqualTo(3);
        assertThat(withCommit).as("the two statements and the COMMIT").isEqualTo(1);
    }
}
