package health.consent.sdk;

import health.consent.model.wire.AccessReport;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Sends access records in batches from one background thread: when a batch is full or its
 * oldest record has waited the flush interval. A batch that fails is sent again, with the same
 * record ids, after a growing pause, until the service takes it. Nothing is dropped silently: a
 * full queue refuses new records (the access must not happen), and whatever is still undelivered
 * when the client closes is logged as a warning with its count.
 *
 * <p>With an in-memory connection ({@code sendAtOnce}), batches are not held back to fill
 * up, and {@link #offer} returns once its record has been sent once: delivered, refused, or
 * failed and kept for the retries. Records still go through the same queue, in the same order.
 */
final class AccessRecorder {

    private static final System.Logger LOG = System.getLogger(AccessRecorder.class.getName());
    private static final long MAX_BACKOFF_MS = 5_000;
    /** A field of a batch: {@code [index].name}. */
    private static final Pattern INDEXED = Pattern.compile("^\\[(\\d+)\\]\\.?(.*)$");

    private final ServiceConnection connection;
    private final BlockingQueue<AccessReport> queue;
    private final int batchSize;
    private final long flushNanos;
    private final Duration closeTimeout;
    private final boolean sendAtOnce;
    private final Thread thread;
    private final List<Consumer<RejectedAccess>> rejectionListeners = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private volatile long closeDeadline = Long.MAX_VALUE;
    // With sendAtOnce, in queue order: records queued, records sent at least once; guarded by this.
    private long queued;
    private long attempted;
    private boolean finished;
    /** Records of the current batch never sent yet; confined to the recorder's thread. */
    private int untried;

    AccessRecorder(ServiceConnection connection, int capacity, int batchSize, Duration flushInterval,
                   Duration closeTimeout, boolean sendAtOnce) {
        this.connection = connection;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
        this.flushNanos = flushInterval.toNanos();
        this.closeTimeout = closeTimeout;
        this.sendAtOnce = sendAtOnce;
        this.thread = new Thread(this::run, "consent-access-records");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void addRejectionListener(Consumer<RejectedAccess> listener) {
        rejectionListeners.add(listener);
    }

    /** Queues a record; false when the queue is full or the recorder closed. */
    boolean offer(AccessReport record) {
        if (!sendAtOnce) {
            return running && queue.offer(record);
        }
        long ticket;
        synchronized (this) {
            if (!running || !queue.offer(record)) {
                return false;
            }
            ticket = ++queued;
        }
        awaitAttempt(ticket);
        return true;
    }

    /** Sends what is queued, waiting at most the close timeout. */
    void close() {
        closeDeadline = System.nanoTime() + closeTimeout.toNanos();
        running = false;
        thread.interrupt();
        try {
            thread.join(closeTimeout.toMillis() + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void awaitAttempt(long ticket) {
        while (attempted < ticket && !finished) {
            try {
                wait();
            } catch (InterruptedException e) {
                // The record stays queued; the caller's thread keeps its interrupt.
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized void attempted(int records) {
        attempted += records;
        notifyAll();
    }

    private void run() {
        try {
            send();
        } finally {
            synchronized (this) {
                finished = true;
                notifyAll();
            }
        }
    }

    private void send() {
        List<AccessReport> batch = new ArrayList<>(batchSize);
        while (running || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    try {
                        fill(batch);
                    } finally {
                        untried = batch.size();
                    }
                }
                if (!batch.isEmpty() && deliver(batch)) {
                    batch.clear();
                }
                if (!running && System.nanoTime() - closeDeadline >= 0) {
                    break;
                }
            } catch (InterruptedException e) {
                // Closing: loop on to deliver what is left, without waiting for full batches.
                Thread.interrupted();
            }
        }
        long left = batch.size() + queue.size();
        if (left > 0) {
            LOG.log(Level.WARNING, "{0} access records could not be delivered to the consent service before "
                    + "the client closed", left);
        }
    }

    private void fill(List<AccessReport> batch) throws InterruptedException {
        AccessReport first = running ? queue.poll(flushNanos, TimeUnit.NANOSECONDS) : queue.poll();
        if (first == null) {
            return;
        }
        batch.add(first);
        long deadline = System.nanoTime() + flushNanos;
        while (batch.size() < batchSize) {
            queue.drainTo(batch, batchSize - batch.size());
            long wait = deadline - System.nanoTime();
            if (batch.size() >= batchSize || wait <= 0 || !running || sendAtOnce) {
                return;
            }
            AccessReport next = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next != null) {
                batch.add(next);
            }
        }
    }

    /**
     * Takes out of the batch the records the service named as invalid ({@code [3].at}), telling
     * the application of each; true when some remain to send again.
     */
    private boolean isolate(List<AccessReport> batch, ServiceConnection.Rejected e) {
        Map<Integer, String> rejected = new TreeMap<>(Comparator.reverseOrder());
        e.problems().forEach((field, message) -> {
            Matcher m = INDEXED.matcher(field);
            if (m.matches() && Integer.parseInt(m.group(1)) < batch.size()) {
                rejected.merge(Integer.parseInt(m.group(1)), m.group(2) + ": " + message, (a, b) -> a + "; " + b);
            }
        });
        if (rejected.isEmpty()) {
            return false;
        }
        rejected.forEach((index, problem) -> {
            AccessReport record = batch.remove((int) index);
            LOG.log(Level.WARNING, "The consent service refused access record {0} as invalid ({1}); the rest of "
                    + "its batch is sent again", record.id(), problem);
            for (Consumer<RejectedAccess> l : rejectionListeners) {
                try {
                    l.accept(new RejectedAccess(record, problem));
                } catch (RuntimeException failure) {
                    LOG.log(Level.WARNING, "A rejected-access listener failed", failure);
                }
            }
        });
        return !batch.isEmpty();
    }

    /** True when the batch is done with (delivered, or refused as invalid); false to try again later. */
    private boolean deliver(List<AccessReport> batch) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                connection.record(batch);
                return true;
            } catch (ServiceConnection.Rejected e) {
                if (isolate(batch, e)) {
                    continue;
                }
                LOG.log(Level.WARNING, "The consent service refused {0} access records as invalid: {1}",
                        batch.size(), e.getMessage());
                return true;
            } catch (ServiceConnection.Unavailable e) {
                // Tried again below, after a pause: at least as long as the service asked.
                backoff = Math.max(backoff, e.retryAfter().toMillis());
            } finally {
                if (sendAtOnce && untried > 0) {
                    attempted(untried);
                    untried = 0;
                }
            }
            long left = closeDeadline - System.nanoTime();
            if (!running && left <= 0) {
                return false;
            }
            Thread.sleep(running ? backoff : Math.max(1, Math.min(backoff, left / 1_000_000)));
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }
}
