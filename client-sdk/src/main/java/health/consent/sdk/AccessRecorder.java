package health.consent.sdk;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Sends access records in batches from one background thread: when a batch is full or its
 * oldest record has waited the flush interval. A batch that fails is sent again, with the same
 * record ids, after a growing pause, until the service takes it. Nothing is dropped silently: a
 * full queue refuses new records (the access must not happen), and whatever is still undelivered
 * when the client closes is logged as a warning with its count.
 */
final class AccessRecorder {

    private static final System.Logger LOG = System.getLogger(AccessRecorder.class.getName());
    private static final long MAX_BACKOFF_MS = 5_000;

    private final ServiceApi api;
    private final BlockingQueue<Map<String, Object>> queue;
    private final int batchSize;
    private final long flushNanos;
    private final Duration closeTimeout;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long closeDeadline = Long.MAX_VALUE;

    AccessRecorder(ServiceApi api, int capacity, int batchSize, Duration flushInterval, Duration closeTimeout) {
        this.api = api;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
        this.flushNanos = flushInterval.toNanos();
        this.closeTimeout = closeTimeout;
        this.thread = new Thread(this::run, "consent-access-records");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues a record; false when the queue is full or the recorder closed. */
    boolean offer(Map<String, Object> record) {
        return running && queue.offer(record);
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

    private void run() {
        List<Map<String, Object>> batch = new ArrayList<>(batchSize);
        while (running || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    fill(batch);
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

    private void fill(List<Map<String, Object>> batch) throws InterruptedException {
        Map<String, Object> first = running ? queue.poll(flushNanos, TimeUnit.NANOSECONDS) : queue.poll();
        if (first == null) {
            return;
        }
        batch.add(first);
        long deadline = System.nanoTime() + flushNanos;
        while (batch.size() < batchSize) {
            queue.drainTo(batch, batchSize - batch.size());
            long wait = deadline - System.nanoTime();
            if (batch.size() >= batchSize || wait <= 0 || !running) {
                return;
            }
            Map<String, Object> next = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next != null) {
                batch.add(next);
            }
        }
    }

    /** True when the batch is done with (delivered, or refused as invalid); false to try again later. */
    private boolean deliver(List<Map<String, Object>> batch) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                api.record(batch);
                return true;
            } catch (ServiceApi.Rejected e) {
                LOG.log(Level.WARNING, "The consent service refused {0} access records as invalid: {1}",
                        batch.size(), e.getMessage());
                return true;
            } catch (ServiceApi.Unavailable e) {
                long left = closeDeadline - System.nanoTime();
                if (!running && left <= 0) {
                    return false;
                }
                Thread.sleep(running ? backoff : Math.max(1, Math.min(backoff, left / 1_000_000)));
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }
}
