package health.consent.service.db;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Rows for PostgreSQL's {@code COPY ... FROM STDIN (FORMAT binary)}: each value is its length and
 * its bytes in the column type's binary form, so nothing is escaped and nothing is parsed as text
 * on either side. The caller writes, for each row, {@link #row} with the number of columns, then
 * each column's value in the order the statement names them, each of the column's exact type
 * ({@code varchar}/{@code text}, {@code bigint}, {@code integer}, {@code timestamptz}).
 */
public final class CopyRows {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch for its times, in seconds since 1970's. */
    private static final long POSTGRES_EPOCH = 946_684_800L;

    private byte[] buffer;
    private int length;
    private boolean finished;

    /** Rows to come, about {@code expectedBytes} of them. */
    public CopyRows(int expectedBytes) {
        buffer = new byte[Math.max(64, expectedBytes)];
        write(SIGNATURE, 0, SIGNATURE.length);
        int4(0);   // flags: no OIDs
        int4(0);   // no header extension
    }

    /** Starts a row of {@code columns} values. */
    public CopyRows row(int columns) {
        int2(columns);
        return this;
    }

    /** A text value ({@code varchar}, {@code text}), or SQL NULL. */
    public CopyRows text(String value) {
        if (value == null) {
            return nullValue();
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int4(bytes.length);
        write(bytes, 0, bytes.length);
        return this;
    }

    /** A {@code bigint}. */
    public CopyRows bigint(long value) {
        int4(8);
        int4((int) (value >>> 32));
        int4((int) value);
        return this;
    }

    /** An {@code integer}. */
    public CopyRows integer(int value) {
        int4(4);
        int4(value);
        return this;
    }

    /**
     * A {@code timestamptz}: microseconds since 2000-01-01 UTC. The instant must already be to the
     * microsecond, as the database keeps it: nothing finer is silently dropped here.
     */
    public CopyRows timestamptz(Instant value) {
        if (value == null) {
            return nullValue();
        }
        if (value.getNano() % 1_000 != 0) {
            throw new IllegalArgumentException("a time finer than the microsecond: " + value);
        }
        return bigint(Math.addExact(Math.multiplyExact(value.getEpochSecond() - POSTGRES_EPOCH, 1_000_000L),
                value.getNano() / 1_000));
    }

    /** SQL NULL. */
    public CopyRows nullValue() {
        int4(-1);
        return this;
    }

    /** Ends the rows; the bytes to send are {@link #bytes()}'s first {@link #length()}. */
    public CopyRows finish() {
        if (!finished) {
            int2(-1);
            finished = true;
        }
        return this;
    }

    /** The buffer holding the encoded rows (longer than them: see {@link #length()}). */
    byte[] bytes() {
        return buffer;
    }

    /** How many bytes of {@link #bytes()} are the rows. */
    int length() {
        return length;
    }

    private void int2(int value) {
        ensure(2);
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    private void int4(int value) {
        ensure(4);
        buffer[length++] = (byte) (value >>> 24);
        buffer[length++] = (byte) (value >>> 16);
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    private void write(byte[] bytes, int from, int count) {
        ensure(count);
        System.arraycopy(bytes, from, buffer, length, count);
        length += count;
    }

    private void ensure(int more) {
        if (finished) {
            throw new IllegalStateException("rows already finished");
        }
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
