package health.consent.service.db;

import health.consent.model.ApplicationId;
import health.consent.model.PatientId;
import io.micronaut.data.connection.ConnectionDefinition;
import io.micronaut.data.connection.ConnectionOperations;
import io.micronaut.core.annotation.Nullable;
import io.netty.util.internal.ThreadExecutorMap;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Plain SQL over the service's data source, for repositories only: every statement the service
 * runs is written out in the repository that owns its table, in the subset of SQL that PostgreSQL
 * and H2 (PostgreSQL mode) share. Transactions are {@link Transactions}'.
 */
@Singleton
public class Db {

    /** Reads one row. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    public interface RowVisitor {
        void visit(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    private interface StatementWork<T> {
        T run(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    private interface ConnectionWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private final ConnectionOperations<Connection> primary;
    /** The read replica's connections ({@code JDBC_READ_URL}), or the primary's when there is none. */
    private final ConnectionOperations<Connection> replica;
    /** True while the current thread reads from the replica ({@link Transactions#lagging}). */
    private final ThreadLocal<Boolean> onReplica = new ThreadLocal<>();

    public Db(ConnectionOperations<Connection> connections,
              @Named(REPLICA) @Nullable ConnectionOperations<Connection> replica) {
        this.primary = connections;
        this.replica = replica == null ? connections : replica;
    }

    /** The name of the read replica's data source, {@code datasources.read}. */
    public static final String REPLICA = "read";

    /** True when a read replica is configured. */
    public boolean hasReplica() {
        return replica != primary;
    }

    /**
     * Runs the work with this thread's statements on the replica's connections, or (false) on the
     * primary's: a transaction opened inside a replica read is the primary's, and so are its statements.
     */
    <T> T onReplica(boolean replicaWanted, Supplier<T> work) {
        Boolean before = onReplica.get();
        if (Boolean.valueOf(replicaWanted).equals(before == null ? Boolean.FALSE : before)) {
            return work.get();
        }
        onReplica.set(replicaWanted);
        try {
            return work.get();
        } finally {
            onReplica.set(before);
        }
    }

    /**
     * Runs one statement on the current transaction's connection, or on a pooled connection of
     * its own (auto-commit) outside a transaction.
     */
    private <T> T statement(String sql, String keyColumn, StatementWork<T> work) {
        return connection(sql, connection -> {
            try (PreparedStatement ps = keyColumn == null ? connection.prepareStatement(sql)
                    : connection.prepareStatement(sql, new String[] {keyColumn})) {
                return work.run(ps);
            }
        });
    }

    /** Runs the work on the current transaction's connection, as {@link #statement} does. */
    private <T> T connection(String sql, ConnectionWork<T> work) {
        ConnectionOperations<Connection> connections = Boolean.TRUE.equals(onReplica.get()) ? replica : primary;
        return reachable(() -> connections.execute(ConnectionDefinition.DEFAULT, status -> {
            try {
                return work.run(status.getConnection());
            } catch (SQLException e) {
                throw new DataAccessException(sql, e);
            }
        }));
    }

    /**
     * PostgreSQL only: sends finished rows to {@code COPY table (columns) FROM STDIN (FORMAT binary)}
     * and returns how many it stored. Inside a transaction, a failure (a duplicate key among them)
     * stores none of them and leaves the transaction failed, as any failed statement does.
     */
    public long copyIn(String sql, CopyRows rows) {
        rows.finish();
        return connection(sql, connection -> {
            org.postgresql.copy.CopyIn copy = connection.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(sql);
            try {
                copy.writeToCopy(rows.bytes(), 0, rows.length());
                return copy.endCopy();
            } finally {
                // Whatever went wrong, a copy left open would hold the connection's lock and hang the
                // rollback that follows: it is cancelled (a failure to cancel is the connection's, and
                // surfaces there).
                if (copy.isActive()) {
                    try {
                        copy.cancelCopy();
                    } catch (SQLException ignored) {
                        // The statement's own failure is the one reported.
                    }
                }
            }
        });
    }

    /** A failed statement; the cause is the driver's exception, with its SQLSTATE. */
    public static final class DataAccessException extends RuntimeException {
        DataAccessException(String sql, SQLException cause) {
            super("statement failed: " + sql.lines().findFirst().orElse(sql), cause);
        }
    }

    /**
     * Runs the work, turning a failure to reach the database into {@link DatabaseUnavailableException}.
     * Never on an event loop (checked when assertions are on, as in the tests): a database call there
     * stalls every connection the loop serves for as long as it waits.
     */
    static <T> T reachable(Supplier<T> work) {
        assert ThreadExecutorMap.currentExecutor() == null
                : "a database call on an event loop thread (" + Thread.currentThread().getName() + ")";
        try {
            return work.get();
        } catch (DatabaseUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            if (isConnectionFailure(e) || isTransientConflict(e)) {
                throw new DatabaseUnavailableException(e);
            }
            throw e;
        }
    }

    /**
     * True when the database gave up the transaction to resolve a conflict with another one (a
     * deadlock, or a serialisation failure: SQLSTATE 40P01, 40001), rather than because of what it
     * asked: nothing of it was applied and the same request can be sent again. Answered like an
     * unreachable database (503, {@code Retry-After}), never as a 500.
     */
    public static boolean isTransientConflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("40P01".equals(sql.getSQLState()) || "40001".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * SQLSTATEs that say the connection, not the statement, failed: class 08 (connection
     * exception) and 57P (PostgreSQL's operator intervention: shutdown, crash), and H2's database
     * closed under its connections (90098, after an out-of-memory error for example; 90121 at
     * shutdown) or a broken connection (90067).
     */
    public static boolean isBrokenConnection(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("57P")
                || sqlState.equals("90098") || sqlState.equals("90121") || sqlState.equals("90067"));
    }

    /**
     * True when the failure is about reaching the database rather than about the statement: no
     * connection could be had (pool timeout), or the connection broke.
     */
    public static boolean isConnectionFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.net.ConnectException
                    // The transaction manager could not set up or restore a connection: one that broke
                    // under it, when the primary of a replicated pair is lost for example.
                    || t instanceof io.micronaut.data.connection.exceptions.ConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && isBrokenConnection(sql.getSQLState())) {
                return true;
            }
            String type = t.getClass().getSimpleName();
            if (type.equals("CannotGetJdbcConnectionException") || type.equals("NoConnectionException")) {
                return true;
            }
        }
        return false;
    }

    public <T> List<T> list(String sql, RowMapper<T> mapper, Object... params) {
        return statement(sql, null, ps -> {
            bind(ps, params);
            return rows(ps.executeQuery(), mapper);
        });
    }

    /** Visits each row a query answers, keeping none: for reads of many rows. Returns how many it visited. */
    public int each(String sql, RowVisitor visitor, Object... params) {
        return statement(sql, null, ps -> {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                int rows = 0;
                while (rs.next()) {
                    visitor.visit(rs);
                    rows++;
                }
                return rows;
            }
        });
    }

    /** A read: its statement, its parameters, and how each row is read. */
    public record Read<T>(String sql, RowMapper<T> mapper, Object... params) {
    }

    /** The read's rows. */
    public <T> List<T> list(Read<T> read) {
        return list(read.sql(), read.mapper(), read.params());
    }

    /**
     * Pads a list of parameters, taken {@code width} at a time (a key of that many columns), with
     * its last key again until the keys are a power of two; returns how many keys it now holds. A
     * statement over {@code IN (...)} of the padded list finds the same rows, and has a handful of
     * texts that each connection prepares once rather than one for every number of keys.
     */
    public static int padToPowerOfTwo(List<Object> params, int width) {
        int keys = params.size() / width;
        int slots = keys <= 1 ? 1 : Integer.highestOneBit(keys - 1) << 1;
        for (int i = keys; i < slots; i++) {
            for (int c = 0; c < width; c++) {
                params.add(params.get(params.size() - width));
            }
        }
        return slots;
    }

    /** The rows of two reads. */
    public record Both<A, B>(List<A> first, List<B> second) {
    }

    /**
     * Runs two reads in this order. On PostgreSQL they go in one round trip: the driver sends a
     * text of two statements as one batch, and answers their rows one result after the other; a
     * writer that must make both, while others wait for it, saves a wake-up on either side. The
     * server runs the second once the first has finished (under its locks, if it takes any). It is
     * one round trip as long as every parameter has a type the driver knows (as {@link #bind} gives
     * them; not with {@code stringtype=unspecified}): otherwise the driver first asks the server to
     * describe the statements, which is correct but makes it two. Elsewhere one after the other.
     */
    public <A, B> Both<A, B> both(Read<A> first, Read<B> second) {
        if (!isPostgres()) {
            return new Both<>(list(first), list(second));
        }
        Write both = joined(List.of(new Write(first.sql(), first.params(), null),
                new Write(second.sql(), second.params(), null)));
        return statement(both.sql(), null, ps -> {
            bind(ps, both.params());
            if (!ps.execute()) {
                throw new SQLException("the first of two reads gave no result set");
            }
            List<A> a = rows(ps.getResultSet(), first.mapper());
            if (!ps.getMoreResults()) {
                throw new SQLException("the second of two reads gave no result set");
            }
            return new Both<>(a, rows(ps.getResultSet(), second.mapper()));
        });
    }

    /**
     * What a write left for its commit: a statement and its parameters, or work that runs
     * statements of its own ({@code sql} null).
     */
    private record Write(String sql, Object[] params, Runnable work) {
    }

    /** While a {@link Transactions#write} runs on this thread, what it left for its commit. */
    private final ThreadLocal<List<Write>> withCommit = new ThreadLocal<>();

    /**
     * Runs the statement at the end of the current write, after every statement run directly, in
     * the order of these calls: for a statement whose rows nothing in the transaction reads after
     * it and whose answer is not needed. On PostgreSQL it goes with the transaction's
     * {@code COMMIT}, in one round trip: the driver sends a text of statements as one batch, and the
     * server, which skips whatever follows a failed statement, commits only when every one of them
     * succeeded; a failure fails the write as any failed statement does, and it is rolled back. A
     * writer that others wait for saves a round trip, a wake-up on either side, for each such
     * statement (BENCHMARKS.md, "Cores left idle by the consent changes"). On H2 each runs as usual
     * before the commit. Outside a write it runs at once.
     */
    public void atCommit(String sql, Object... params) {
        // Statements are joined on one line: a comment would swallow those after it, COMMIT included.
        if (sql.contains("--")) {
            throw new IllegalArgumentException("a statement left for the commit carries no comment: " + sql);
        }
        leave(new Write(sql, params, null));
    }

    /**
     * Runs the work, statements of its own, at the end of the current write in its turn as
     * {@link #atCommit(String, Object...)} does, but before the commit: for a database where a
     * statement cannot go with it (H2), or work of several statements. Outside a write, at once.
     */
    public void atCommit(Runnable work) {
        leave(new Write(null, null, work));
    }

    private void leave(Write write) {
        List<Write> pending = withCommit.get();
        if (pending != null) {
            pending.add(write);
        } else {
            run(write);
        }
    }

    private void run(Write write) {
        if (write.sql() == null) {
            write.work().run();
        } else {
            update(write.sql(), write.params());
        }
    }

    /**
     * For {@link Transactions#write}: runs the work, then the statements it left {@link #atCommit}.
     * On PostgreSQL they go with the transaction's {@code COMMIT} (after which the transaction
     * manager's own commit has nothing to do: the driver sends none outside a transaction); without
     * it when the transaction is not this work's own (it joined one begun elsewhere, which commits
     * it) or is to be rolled back. If the work fails, none of them runs.
     */
    <T> T writing(io.micronaut.transaction.TransactionStatus<Connection> status, Supplier<T> work) {
        List<Write> pending = new ArrayList<>(4);
        withCommit.set(pending);
        T result;
        try {
            result = work.get();
        } finally {
            withCommit.remove();
        }
        if (pending.isEmpty()) {
            return result;
        }
        // Work of its own among them (H2's only, today): each in its turn, the commit apart.
        if (!isPostgres() || pending.stream().anyMatch(w -> w.sql() == null)) {
            pending.forEach(this::run);
            return result;
        }
        if (status.isNewTransaction() && !status.isRollbackOnly()) {
            pending.add(new Write("COMMIT", new Object[0], null));
        }
        Write all = joined(pending);
        return statement(all.sql(), null, ps -> {
            bind(ps, all.params());
            boolean rows = ps.execute();
            while (rows || ps.getUpdateCount() != -1) {
                rows = ps.getMoreResults();
            }
            return result;
        });
    }

    /**
     * Statements as one text, which the driver sends as one batch, and their parameters in order.
     * On one line: a failure is reported with the statement's first line, here all of them.
     */
    private static Write joined(List<Write> statements) {
        StringBuilder text = new StringBuilder();
        List<Object> params = new ArrayList<>();
        for (Write w : statements) {
            text.append(text.isEmpty() ? "" : "; ").append(w.sql());
            params.addAll(java.util.Arrays.asList(w.params()));
        }
        return new Write(text.toString(), params.toArray(), null);
    }

    /** Each row mapped, the result set closed. */
    private static <T> List<T> rows(ResultSet resultSet, RowMapper<T> mapper) throws SQLException {
        try (ResultSet rs = resultSet) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        }
    }

    public <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = list(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    public long count(String sql, Object... params) {
        return one(sql, rs -> rs.getLong(1), params).orElse(0L);
    }

    public int update(String sql, Object... params) {
        return executeUpdate(sql, false, params);
    }

    /**
     * As {@link #update}, for a statement PostgreSQL must plan with its values at each run rather
     * than keep a plan for: one whose best plan depends on the size of a table that grows from
     * empty. A plan the server keeps (the driver prepares a statement on the server from its fifth
     * run on a connection, and the server may keep a plan for it after five more) was made with
     * the tables as they were then; before their first statistics, it is not made again as they
     * grow. Planning costs a little at each run: for statements that run a few hundred times a
     * second at most. The statement's text must go through this method only: once the driver has
     * prepared a text on a connection (through {@link #update}), it keeps using that preparation.
     */
    public int updatePlannedEachRun(String sql, Object... params) {
        return executeUpdate(sql, true, params);
    }

    private int executeUpdate(String sql, boolean plannedEachRun, Object[] params) {
        return statement(sql, null, ps -> {
            if (plannedEachRun && isPostgres()) {
                // Not prepared on the server: sent as the unnamed statement, which the server plans anew at each run.
                ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
            }
            bind(ps, params);
            return ps.executeUpdate();
        });
    }

    /** Runs one statement for each row of parameters, in JDBC batches; returns the rows changed by each. */
    public int[] batch(String sql, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return new int[0];
        }
        return statement(sql, null, ps -> {
            addBatches(ps, rows);
            return ps.executeBatch();
        });
    }

    /**
     * Inserts the rows in one JDBC batch and returns the values the database generated for
     * {@code keyColumn}, in the order of the rows.
     */
    public long[] insertAll(String sql, String keyColumn, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return new long[0];
        }
        return statement(sql, keyColumn, ps -> {
            addBatches(ps, rows);
            ps.executeBatch();
            long[] keys = new long[rows.size()];
            int n = 0;
            try (ResultSet generated = ps.getGeneratedKeys()) {
                while (generated.next() && n < keys.length) {
                    keys[n++] = generated.getLong(1);
                }
            }
            if (n != keys.length) {
                throw new SQLException(n + " keys generated for " + keys.length + " rows by " + sql);
            }
            return keys;
        });
    }

    /** Inserts one row and returns the value the database generated for {@code keyColumn}. */
    public long insert(String sql, String keyColumn, Object... params) {
        return statement(sql, keyColumn, ps -> {
            bind(ps, params);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("no key generated by " + sql);
                }
                return keys.getLong(1);
            }
        });
    }

    /**
     * An array parameter of a SQL type ({@code bigint}, {@code varchar}...): one statement for a
     * whole list, with {@code = ANY(?)} or PostgreSQL's {@code unnest}.
     */
    public record SqlArray(String type, Object[] values) {
    }

    /** Column {@code i} of the rows, as an array parameter. */
    public static SqlArray column(List<Object[]> rows, int i, String type) {
        Object[] values = new Object[rows.size()];
        for (int r = 0; r < values.length; r++) {
            values[r] = rows.get(r)[i];
        }
        return new SqlArray(type, values);
    }

    /**
     * Writes the rows: on PostgreSQL by one statement over arrays ({@code overArrays}, which reads
     * them from {@link #unnestText} of the rows' width), otherwise by a JDBC batch of {@code eachRow}.
     */
    public void writeAll(String eachRow, String overArrays, List<Object[]> rows) {
        writeAll(eachRow, overArrays, rows, false);
    }

    /**
     * {@link #writeAll}, the statement over arrays sent with the commit ({@link #atCommit}): for
     * rows nothing in the transaction reads after them.
     */
    public void writeAllAtCommit(String eachRow, String overArrays, List<Object[]> rows) {
        writeAll(eachRow, overArrays, rows, true);
    }

    private void writeAll(String eachRow, String overArrays, List<Object[]> rows, boolean atCommit) {
        if (rows.isEmpty()) {
            return;
        }
        Write write = isPostgres() ? new Write(overArrays, textColumns(rows), null)
                : new Write(null, null, () -> batch(eachRow, rows));
        if (atCommit) {
            leave(write);
        } else {
            run(write);
        }
    }

    /**
     * The rows (at least one, all of the same width) as one text array a column, for a PostgreSQL
     * statement that reads them from {@link #unnestText} and casts each column to its type: one
     * statement for a group of rows, where a JDBC batch sends, binds and runs one statement a row.
     * A value goes as text: an instant in ISO form (the service's instants are in microseconds, as
     * PostgreSQL keeps them), an identifier as its value, an enum as its name, a number in decimal.
     */
    public static Object[] textColumns(List<Object[]> rows) {
        int width = rows.get(0).length;
        Object[] params = new Object[width];
        for (int c = 0; c < width; c++) {
            Object[] values = new String[rows.size()];
            for (int r = 0; r < values.length; r++) {
                values[r] = text(rows.get(r)[c]);
            }
            params[c] = new SqlArray("varchar", values);
        }
        return params;
    }

    /** {@code unnest(?::varchar[], ...)} of {@code width} text arrays, as {@link #textColumns} binds them. */
    public static String unnestText(int width) {
        return "unnest(" + String.join(", ", java.util.Collections.nCopies(width, "?::varchar[]")) + ")";
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        } else if (value instanceof Enum<?> e) {
            return e.name();
        } else if (value instanceof ApplicationId a) {
            return a.value();
        } else if (value instanceof PatientId patient) {
            return patient.value();
        } else if (value instanceof String || value instanceof Instant || value instanceof Long
                || value instanceof Integer) {
            return value.toString();
        }
        throw new IllegalArgumentException("no text form for a " + value.getClass().getName());
    }

    private volatile Boolean postgres;

    /**
     * True on PostgreSQL: a few bulk statements have a faster form there ({@code unnest} of arrays,
     * one statement for thousands of rows) than the portable JDBC batch.
     */
    public boolean isPostgres() {
        Boolean known = postgres;
        if (known == null) {
            known = primary.execute(ConnectionDefinition.DEFAULT, status -> {
                try {
                    return status.getConnection().getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
                } catch (SQLException e) {
                    throw new DataAccessException("metadata", e);
                }
            });
            postgres = known;
        }
        return known;
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** Binds each row of parameters and adds it to the statement's batch. */
    private static void addBatches(PreparedStatement ps, List<Object[]> rows) throws SQLException {
        for (Object[] row : rows) {
            bind(ps, row);
            ps.addBatch();
        }
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof Instant t) {
                ps.setObject(i + 1, t.atOffset(ZoneOffset.UTC));
            } else if (p instanceof Enum<?> || p instanceof ApplicationId || p instanceof PatientId) {
                ps.setString(i + 1, text(p));
            } else if (p instanceof SqlArray a) {
                ps.setArray(i + 1, ps.getConnection().createArrayOf(a.type(), a.values()));
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }
}
