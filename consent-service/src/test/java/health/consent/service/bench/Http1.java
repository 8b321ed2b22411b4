package health.consent.service.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * HTTP/1.1 as the benchmark's load clients speak it: requests written by hand, answers read off
 * the socket's bytes (a declared length or chunks), connections kept alive. A client far cheaper
 * than the service it measures, with no thread of its own: the thread that sends is the one the
 * answer wakes, so that on two shared cores a request's time is the service's, not the client's
 * hand-overs between its threads.
 */
final class Http1 {

    private Http1() {
    }

    /** A complete answer: its status, its body, and how many bytes of the input it took. */
    record Answer(int status, String body, int consumed, boolean close) {
    }

    /** A request's bytes: a bearer token, and a JSON body when there is one. */
    static byte[] request(String method, String pathAndQuery, URI base, String token, String body) {
        StringBuilder r = new StringBuilder(256).append(method).append(' ').append(pathAndQuery)
                .append(" HTTP/1.1\r\nHost: ").append(base.getHost()).append(':').append(base.getPort())
                .append("\r\nAuthorization: Bearer ").append(token).append("\r\n");
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            r.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
        }
        byte[] head = r.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + content.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return all;
    }

    /** The first complete answer in {@code bytes[0, length)}, or null while it is still arriving. */
    static Answer parse(byte[] bytes, int length) {
        String text = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        int headersEnd = text.indexOf("\r\n\r\n");
        if (headersEnd < 0) {
            return null;
        }
        String headers = text.substring(0, headersEnd).toLowerCase(Locale.ROOT);
        int status = Integer.parseInt(headers.substring(9, 12));
        boolean close = headers.contains("\r\nconnection: close");
        int start = headersEnd + 4;
        int declared = headers.indexOf("content-length:");
        if (declared >= 0) {
            int lineEnd = headers.indexOf('\r', declared);
            int n = Integer.parseInt(headers.substring(declared + 15, lineEnd < 0 ? headers.length() : lineEnd).trim());
            return length < start + n ? null
                    : new Answer(status, new String(bytes, start, n, StandardCharsets.UTF_8), start + n, close);
        }
        // Chunked: complete once the last chunk (size 0) has arrived.
        int end = text.indexOf("\r\n0\r\n\r\n", start - 2);
        if (end < 0) {
            return null;
        }
        StringBuilder body = new StringBuilder();
        int at = start;
        while (true) {
            int line = text.indexOf("\r\n", at);
            int size = Integer.parseInt(text.substring(at, line).trim(), 16);
            if (size == 0) {
                break;
            }
            body.append(new String(bytes, line + 2, size, StandardCharsets.UTF_8));
            at = line + 2 + size + 2;
        }
        return new Answer(status, body.toString(), end + 7, close);
    }

    /** Blocking connections to one service, kept alive and shared by the threads that send. */
    static final class Client {
        private final URI base;
        private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();

        Client(URI base) {
            this.base = base;
        }

        /** Sends the request on an idle connection (or a new one) and waits for its answer. */
        Answer send(String method, String pathAndQuery, String token, String body) throws IOException {
            Connection c = idle.poll();
            if (c == null) {
                c = new Connection(base);
            }
            try {
                Answer a = c.exchange(request(method, pathAndQuery, base, token, body));
                if (a.close()) {
                    c.close();
                } else {
                    idle.add(c);
                }
                return a;
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }

    /** One socket: a request written, then its answer read, in turn. */
    private static final class Connection implements Closeable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;
        private byte[] buffer = new byte[16 * 1024];
        private int filled;

        Connection(URI base) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 30_000);
            socket.setSoTimeout(60_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        Answer exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            while (true) {
                Answer a = parse(buffer, filled);
                if (a != null) {
                    System.arraycopy(buffer, a.consumed(), buffer, 0, filled - a.consumed());
                    filled -= a.consumed();
                    return a;
                }
                if (filled == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
                int read = in.read(buffer, filled, buffer.length - filled);
                if (read < 0) {
                    throw new EOFException("the service closed the connection");
                }
                filled += read;
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Nothing more is sent on it.
            }
        }
    }
}
