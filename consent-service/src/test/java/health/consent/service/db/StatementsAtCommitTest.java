package health.consent.service.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.consent.service.support.OnBothDatabases;
import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Statements a write leaves for its commit ({@link Db#atCommit}): on PostgreSQL sent with the
 * {@code COMMIT} in one round trip, on H2 run before it; on both, after the write's other
 * statements, in their order, all or nothing with them.
 */
class StatementsAtCommitTest extends OnBothDatabases {

    private Db db;
    private Transactions transactions;
    /** The keys of this test's rows, so that the tests of one database do not see each other's. */
    private String a;
    private String b;

    @BeforeEach
    void probeTable() {
        service.sql("CREATE TABLE IF NOT EXISTS at_commit_probe (k VARCHAR(64) PRIMARY KEY, v BIGINT NOT NULL)");
        db = service.context().getBean(Db.class);
        transactions = service.context().getBean(Transactions.class);
        a = UUID.randomUUID().toString();
        b = UUID.randomUUID().toString();
    }

    private List<Long> values(String... keys) {
        return java.util.Arrays.stream(keys).map(k -> db.one("SELECT v FROM at_commit_probe WHERE k = ?",
                rs -> rs.getLong(1), k).orElse(-1L)).toList();
    }

    private void insert(String key, long value) {
        db.update("INSERT INTO at_commit_probe (k, v) VALUES (?, ?)", key, value);
    }

    @Test
    void statements_left_for_the_commit_run_after_the_others_in_their_order_and_land_with_them() {
        List<Long> inside = transactions.write(() -> {
            insert(a, 1);
            db.atCommit("UPDATE at_commit_probe SET v = v * 10 WHERE k IN (?, ?)", a, b);
            // Run directly after the first was left for the commit: the update above still finds it.
            insert(b, 2);
            db.atCommit("UPDATE at_commit_probe SET v = v + 1 WHERE k IN (?, ?)", a, b);
            db.atCommit(() -> insert(a + "-work", 5));
            return values(a, b, a + "-work");
        });
        assertThat(inside).as("inside the write, nothing left for the commit has run").containsExactly(1L, 2L, -1L);
        assertThat(values(a, b, a + "-work")).as("after it, each in its turn").containsExactly(11L, 21L, 5L);
        // Joined on one line with the COMMIT, a statement must not carry a comment that would swallow it.
        assertThatThrownBy(() -> db.atCommit("UPDATE at_commit_probe SET v = 0 -- all of them"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_statement_left_for_the_commit_that_fails_rolls_the_whole_write_back() {
        transactions.write(() -> {
            insert(a, 1);
            return null;
        });
        assertThatThrownBy(() -> transactions.write(() -> {
            insert(b, 1);
            db.atCommit("UPDATE at_commit_probe SET v = 7 WHERE k = ?", a);
            // The same key again: a unique violation, after a statement that succeeded.
            db.atCommit("INSERT INTO at_commit_probe (k, v) VALUES (?, 3)", a);
            return null;
        })).satisfies(e -> assertThat(Transactions.isUniqueViolation(e)).as(e.toString()).isTrue());
        assertThat(values(a, b)).as("neither the direct insert nor the update before the failure").containsExactly(1L, -1L);
        // The connection it used serves the next write as usual, commit and rollback alike.
        transactions.write(() -> {
            db.atCommit("UPDATE at_commit_probe SET v = 8 WHERE k = ?", a);
            return null;
        });
        assertThatThrownBy(() -> transactions.write(() -> {
            insert(b, 9);
            throw new IllegalStateException("given up");
        })).hasMessage("given up");
        assertThat(values(a, b)).containsExactly(8L, -1L);
    }

    @Test
    void a_write_that_fails_runs_nothing_it_left_for_the_commit() {
        assertThatThrownBy(() -> transactions.write(() -> {
            db.atCommit("INSERT INTO at_commit_probe (k, v) VALUES (?, 1)", a);
            db.atCommit(() -> insert(b, 1));
            throw new IllegalStateException("given up");
        })).hasMessage("given up");
        assertThat(values(a, b)).containsExactly(-1L, -1L);
    }

    @Test
    void a_write_inside_a_transaction_begun_elsewhere_leaves_the_commit_to_it() {
        @SuppressWarnings("unchecked")
        TransactionOperations<Connection> outer = service.context().getBean(TransactionOperations.class);
        assertThatThrownBy(() -> outer.executeWrite(status -> {
            transactions.write(() -> {
                db.atCommit("INSERT INTO at_commit_probe (k, v) VALUES (?, 1)", a);
                return null;
            });
            assertThat(values(a)).as("run at the end of the inner write, in the outer transaction").containsExactly(1L);
            throw new IllegalStateException("the outer transaction gives up");
        })).hasMessage("the outer transaction gives up");
        assertThat(values(a)).as("rolled back with the outer transaction: no commit was sent").containsExactly(-1L);
    }
}
