package health.consent.service.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.BiFunction;

/**
 * Long polls of {@code GET /api/v1/changes} over plain non-blocking sockets, kept alive, all on
 * one selector thread: a load client that costs far less than the service it measures, so that
 * ten thousand connected instances can share two cores with it.
 */
final class Pollers implements Runnable {

    /** What to do with an answer: given the instance and the body, the position to ask from next (null: the same). */
    private final BiFunction<Integer, String, Long> onAnswer;
    private final Selector selector;
    private final Queue<Poller> toOpen = new ArrayDeque<>();
    private volatile boolean running = true;

    Pollers(BiFunction<Integer, String, Long> onAnswer) throws IOException {
        this.onAnswer = onAnswer;
        this.selector = Selector.open();
    }

    /** One instance: its socket, what it asks, and the answer being read. */
    private final class Poller {
        final int id;
        final URI base;
        final String token;
        long after;
        SocketChannel channel;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();

        Poller(int id, URI base, String token, long after) {
            this.id = id;
            this.base = base;
            this.token = token;
            this.after = after;
        }

        void open() throws IOException {
            in.reset();
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.connect(new InetSocketAddress(base.getHost(), base.getPort()));
            channel.register(selector, SelectionKey.OP_CONNECT, this);
        }

        void ask() throws IOException {
            ByteBuffer request = ByteBuffer.wrap(Http1.request("GET", "/api/v1/changes?wait=25&after=" + after, base, token, null));
            while (request.hasRemaining()) {
                channel.write(request);
            }
        }

        /** The body of a complete answer in {@code in}, or null while it is still arriving. */
        String answer() {
            byte[] bytes = in.toByteArray();
            Http1.Answer a = Http1.parse(bytes, bytes.length);
            if (a == null) {
                return null;
            }
            in.reset();
            in.write(bytes, a.consumed(), bytes.length - a.consumed());
            return a.body();
        }
    }

    /** Opens an instance's connection; its first request goes as soon as it is connected. */
    synchronized void add(int id, URI base, String token, long after) {
        toOpen.add(new Poller(id, base, token, after));
        selector.wakeup();
    }

    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (running) {
            try {
                synchronized (this) {
                    for (Poller p; (p = toOpen.poll()) != null; ) {
                        p.open();
                    }
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Poller p = (Poller) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            p.channel.finishConnect();
                            key.interestOps(SelectionKey.OP_READ);
                            p.ask();
                        } else if (key.isReadable()) {
                            buffer.clear();
                            int read = p.channel.read(buffer);
                            if (read < 0) {
                                throw new IOException("closed");
                            }
                            p.in.write(buffer.array(), 0, read);
                            String body = p.answer();
                            if (body != null) {
                                Long next = onAnswer.apply(p.id, body);
                                if (next != null) {
                                    p.after = next;
                                }
                                p.ask();
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        key.cancel();
                        p.channel.close();
                        synchronized (this) {
                            toOpen.add(p);
                        }
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
