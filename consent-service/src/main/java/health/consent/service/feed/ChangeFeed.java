package health.consent.service.feed;

import health.consent.service.db.BackgroundPass;
import health.consent.service.feed.ChangeFeedRepository.Change;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-poll change feed. One thread per instance numbers new changes (see
 * {@link ChangeFeedRepository#sequence()}) and watches the highest number; when it grows, the
 * requests waiting on this instance read again. Changes written through another instance sharing
 * the database are seen within one tick.
 */
@Singleton
public class ChangeFeed implements ApplicationEventListener<ServerStartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

    /** The most changes one answer carries; a client asks again with the {@code next} it got. */
    static final int PAGE = 1_000;

    /** An answer: the changes, and the position to ask from next time. */
    @Serdeable
    public record Changes(List<Change> changes, long next) {
    }

    /** How long a pass waits for more writes once woken by one. */
    private static final long COALESCE_MILLIS = 5;

    /** Past this many changes in one tick, the decision cache is simply emptied. */
    private static final int INVALIDATION_BATCH = 50_000;

    private final ChangeFeedRepository repository;
    private final List<ChangeListener> listeners;
    private final ExecutorService blocking;
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private final BackgroundPass pass;
    private volatile long head;
    /** The position up to which the caches were told; -1 before the first pass. */
    private long applied = -1;

    public ChangeFeed(ChangeFeedRepository repository, List<ChangeListener> listeners,
                      @Named(TaskExecutors.BLOCKING) ExecutorService blocking,
                      @Value("${consent.feed.tick:100ms}") Duration tick) {
        this.repository = repository;
        this.listeners = listeners;
        this.blocking = blocking;
        this.pass = new BackgroundPass("consent-change-feed", tick, Duration.ofMillis(COALESCE_MILLIS), this::pass,
                LOG);
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        pass.start();
    }

    @PreDestroy
    void stop() throws InterruptedException {
        pass.stop();
        waiters.forEach(w -> w.future.complete(new Changes(List.of(), w.after)));
    }

    /** Tells the feed that a change was just committed here: number it now rather than at the next tick. */
    public void changed() {
        pass.wake();
    }

    /**
     * The application's changes after {@code after}, waiting up to {@code wait} for one to appear.
     * With no {@code after}, answers at once with no change and the current position.
     */
    public CompletableFuture<Changes> poll(String applicationId, Long after, int waitSeconds) {
        return CompletableFuture.supplyAsync(() -> {
            long known = repository.head();
            head = Math.max(head, known);
            if (after == null) {
                return new Changes(List.of(), known);
            }
            return read(applicationId, after, known);
        }, blocking).thenCompose(first -> {
            if (after == null || !first.changes().isEmpty() || waitSeconds == 0) {
                return CompletableFuture.completedFuture(first);
            }
            Waiter waiter = new Waiter(applicationId, first.next(),
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds));
            waiters.add(waiter);
            // The head may have moved between the read and the registration.
            wake(waiter, head);
            return waiter.future;
        });
    }

    private Changes read(String applicationId, long after, long upTo) {
        List<Change> changes = repository.read(applicationId, after, upTo, PAGE);
        long next = changes.size() == PAGE ? changes.get(changes.size() - 1).seq() : Math.max(after, upTo);
        return new Changes(changes, next);
    }

    /** One pass: number new changes, learn the new head, tell the caches, wake the waiting requests. */
    private void pass() {
        while (repository.sequence() > 0) {
            // Keep numbering while there is a backlog.
        }
        long known = repository.head();
        if (known > head) {
            head = known;
        }
        applied = forgetChanged(applied, known);
        long now = System.nanoTime();
        for (Waiter w : waiters) {
            if (w.seen < head || now - w.deadline >= 0) {
                wake(w, head);
            }
        }
    }

    /** Tells the caches what changed since {@code applied}, through any instance. */
    private long forgetChanged(long applied, long known) {
        if (applied < 0) {
            listeners.forEach(ChangeListener::changedEverything);
        } else if (known > applied) {
            List<String[]> changed = repository.changedBetween(applied, known, INVALIDATION_BATCH);
            if (changed.size() == INVALIDATION_BATCH) {
                listeners.forEach(ChangeListener::changedEverything);
            } else {
                for (String[] c : changed) {
                    listeners.forEach(l -> l.changed(c[0], c[1]));
                }
            }
        }
        listeners.forEach(ChangeListener::synced);
        return known;
    }

    private void wake(Waiter w, long upTo) {
        if (!w.busy.compareAndSet(false, true)) {
            return;
        }
        blocking.execute(() -> {
            try {
                Changes changes = upTo > w.seen ? read(w.applicationId, w.after, upTo) : new Changes(List.of(), w.seen);
                w.seen = Math.max(w.seen, upTo);
                if (!changes.changes().isEmpty() || System.nanoTime() - w.deadline >= 0) {
                    waiters.remove(w);
                    w.future.complete(changes.changes().isEmpty() ? new Changes(List.of(), w.seen) : changes);
                }
            } catch (RuntimeException e) {
                waiters.remove(w);
                w.future.completeExceptionally(e);
            } finally {
                w.busy.set(false);
            }
        });
    }

    /** A request waiting for the application's next change. */
    private static final class Waiter {
        final String applicationId;
        final long after;
        final long deadline;
        final CompletableFuture<Changes> future = new CompletableFuture<>();
        final AtomicBoolean busy = new AtomicBoolean();
        volatile long seen;

        Waiter(String applicationId, long after, long deadline) {
            this.applicationId = applicationId;
            this.after = after;
            this.seen = after;
            this.deadline = deadline;
        }
    }
}
