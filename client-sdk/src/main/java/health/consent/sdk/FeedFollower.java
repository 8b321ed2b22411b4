package health.consent.sdk;

import health.consent.model.wire.FeedChange;
import health.consent.model.wire.FeedPage;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client's data source: follows the service's change feed from one background thread and
 * applies every change to the {@link DecisionCache}, so that cached answers stay fresh. It owns the
 * client's {@link ClientStatus} and tells the listeners of every new one. When the feed fails, it
 * is retried with a growing, jittered pause and resumes from where it stopped, so no change is
 * missed; when it first connects, whatever was cached before is forgotten.
 */
final class FeedFollower {

    private static final System.Logger LOG = System.getLogger(FeedFollower.class.getName());
    private static final long MAX_BACKOFF_MS = 5_000;

    private final ServiceConnection connection;
    private final DecisionCache cache;
    private final int waitSeconds;
    private final List<Consumer<ClientStatus>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<PurgeRequest>> purgeListeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private final Thread thread;
    private volatile ClientStatus status = ClientStatus.INITIALIZING;
    private volatile long lastSuccess;
    private volatile boolean running = true;

    /** @param waitSeconds how long each long poll may wait for a change; 0 polls four times a second */
    FeedFollower(ServiceConnection connection, DecisionCache cache, int waitSeconds) {
        this.connection = connection;
        this.cache = cache;
        this.waitSeconds = waitSeconds;
        this.thread = new Thread(this::follow, "consent-change-feed");
        this.thread.setDaemon(true);
    }

    /** Starts following the feed. Without it, the status stays INITIALIZING until {@link #off()}. */
    void start() {
        thread.start();
    }

    /**
     * Waits until the feed has been asked once (answered or failed), at most {@code timeout}: from
     * then on, a change made at the service reaches the cache.
     */
    void awaitFirstAttempt(Duration timeout) {
        try {
            firstAttempt.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    ClientStatus status() {
        return status;
    }

    void addStatusListener(Consumer<ClientStatus> listener) {
        listeners.add(listener);
    }

    void addPurgeListener(Consumer<PurgeRequest> listener) {
        purgeListeners.add(listener);
    }

    /** Whether the feed answered within the last {@code boundNanos}, and has not failed since. */
    boolean freshWithin(long boundNanos) {
        return status == ClientStatus.VALID && System.nanoTime() - lastSuccess < boundNanos;
    }

    /** Stops following the feed; the status is unchanged until {@link #off()}. */
    void stop() {
        running = false;
        thread.interrupt();
    }

    /** The client is closed: the status becomes OFF for good. */
    void off() {
        setStatus(ClientStatus.OFF);
    }

    private void follow() {
        Long position = null;
        long backoff = 100;
        while (running) {
            try {
                if (position == null) {
                    // Whatever was cached before may have changed unseen: start afresh from the current position.
                    FeedPage start = connection.changes(null, 0);
                    cache.invalidate(null);
                    position = start.next();
                } else {
                    FeedPage page = connection.changes(position, waitSeconds);
                    if (page.reset()) {
                        // Our position is beyond the service's (its database was restored or reset):
                        // changes since may be unknown to us, so nothing cached can be trusted.
                        LOG.log(Level.WARNING, "The consent service's change feed is behind this client's position "
                                + "{0}: starting again from {1}", position, page.next());
                        cache.invalidate(null);
                    }
                    for (FeedChange c : page.changes()) {
                        apply(c);
                    }
                    position = page.next();
                }
                lastSuccess = System.nanoTime();
                setStatus(ClientStatus.VALID);
                firstAttempt.countDown();
                backoff = 100;
                if (waitSeconds == 0) {
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                return;
            } catch (ServiceConnection.Unavailable | ServiceConnection.Rejected | RuntimeException e) {
                firstAttempt.countDown();
                if (!running) {
                    return;
                }
                if (status == ClientStatus.VALID) {
                    LOG.log(Level.WARNING, "Consent change feed interrupted: {0}", e.getMessage());
                    setStatus(ClientStatus.INTERRUPTED);
                }
                // The service may say how long to wait (429: too many waiting requests of this application).
                long asked = e instanceof ServiceConnection.Unavailable u ? u.retryAfter().toMillis() : 0;
                try {
                    Thread.sleep(Math.max(asked, backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1)));
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    private void apply(FeedChange c) {
        if (c.isBulk()) {
            cache.invalidate(c.purpose());
        } else if (c.purpose() != null) {
            cache.apply(c.patientId(), c.purpose(), c.toDecision(), c.version());
        }
        if (c.purgeId() != null && c.patientId() != null && c.purpose() != null) {
            PurgeRequest request = new PurgeRequest(c.purgeId(), c.patientId(), c.purpose());
            for (Consumer<PurgeRequest> l : purgeListeners) {
                try {
                    l.accept(request);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "A purge listener failed for obligation " + request.id()
                            + "; it stays pending (see pendingPurges)", e);
                }
            }
        }
    }

    private void setStatus(ClientStatus next) {
        if (status == next || status == ClientStatus.OFF) {
            return;
        }
        status = next;
        for (Consumer<ClientStatus> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "A consent status listener failed", e);
            }
        }
    }
}
