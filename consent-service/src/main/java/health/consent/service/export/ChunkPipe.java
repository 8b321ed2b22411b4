package health.consent.service.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Bytes written by one thread and read by another, through a few chunks at most: memory stays
 * bounded however much is written, and the writer waits while the reader is slow. A writer that
 * fails makes the reader fail too (so a response cut short is an error, not a shorter document);
 * a reader that goes away makes the writer fail at its next write.
 */
final class ChunkPipe {

    private static final int CHUNK = 64 * 1024;
    private static final byte[] END = new byte[0];
    private static final long GIVE_UP_SECONDS = 120;

    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(4);
    private volatile IOException failure;
    private volatile boolean readerGone;

    final OutputStream out = new OutputStream() {
        private final byte[] buffer = new byte[CHUNK];
        private int used;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, CHUNK - used);
                System.arraycopy(b, off, buffer, used, n);
                used += n;
                off += n;
                len -= n;
                if (used == CHUNK) {
                    flush();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            if (used > 0) {
                put(Arrays.copyOf(buffer, used));
                used = 0;
            }
        }

        @Override
        public void close() throws IOException {
            flush();
            put(END);
        }
    };

    final InputStream in = new InputStream() {
        private byte[] current = new byte[0];
        private int at;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (at == current.length) {
                if (ended) {
                    return -1;
                }
                byte[] next;
                try {
                    next = chunks.poll(GIVE_UP_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted");
                }
                if (failure != null) {
                    throw failure;
                }
                if (next == null) {
                    throw new IOException("the export stopped producing");
                }
                if (next == END) {
                    ended = true;
                    return -1;
                }
                current = next;
                at = 0;
            }
            int n = Math.min(len, current.length - at);
            System.arraycopy(current, at, b, off, n);
            at += n;
            return n;
        }

        @Override
        public void close() {
            readerGone = true;
            chunks.clear();
        }
    };

    /** The writer failed: the reader fails at its next read. */
    void fail(Exception cause) {
        failure = cause instanceof IOException io ? io : new IOException("the export failed", cause);
        chunks.clear();
        chunks.offer(END);
    }

    private void put(byte[] chunk) throws IOException {
        try {
            long waited = 0;
            while (!chunks.offer(chunk, 1, TimeUnit.SECONDS)) {
                if (readerGone || ++waited > GIVE_UP_SECONDS) {
                    throw new IOException("the reader went away");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        if (readerGone) {
            throw new IOException("the reader went away");
        }
    }
}
