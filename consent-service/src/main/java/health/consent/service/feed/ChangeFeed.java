package health.consent.service.feed;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.ApplicationTerms;
import health.consent.model.ConsentEvent;
import health.consent.model.PatientConsents;
import health.consent.model.wire.FeedChange;
import health.consent.model.wire.FeedPage;
import health.consent.service.db.Clock;
import health.consent.service.catalogue.DeclarationCache;
import health.consent.service.db.BackgroundPass;
import health.consent.service.db.BackgroundWork;
import health.consent.service.db.Transactions;
import health.consent.service.events.CatalogueChanged;
import health.consent.service.events.ChangeListener;
import health.consent.service.events.Committed;
import health.consent.service.events.ConsentChanged;
import health.consent.service.events.DomainEvent;
import health.consent.service.feed.ChangeFeedRepository.Changed;
import io.micronaut.context.annotation.Value;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
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
 * The long-poll change feed. It listens to what writers publish: inside their transaction it
 * writes the feed's rows (so a change and its feed entry commit together), and once they commit it
 * tells this instance's caches and wakes its pass. One thread per instance numbers new changes (see
 * {@link ChangeFeedRepository#sequence()}) and watches the highest number; when it grows, the
 * caches hear of changes made through other instances and the requests waiting on this instance
 * read again. Changes written through another instance sharing the database are seen within one tick.
 */
@Singleton
public class ChangeFeed implements BackgroundWork {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

    /** The most changes one answer carries; a client asks again with the {@code next} it got. */
    static final int PAGE = 1_000;

    /** How long a pass waits for more writes once woken by one. */
    private static final long COALESCE_MILLIS = 5;

    /** Past this many changes in one tick, the caches are simply emptied. */
    private static final int INVALIDATION_BATCH = 50_000;

    private final Transactions transactions;
    private final ChangeFeedRepository repository;
    private final DeclarationCache declarations;
    private final List<ChangeListener> listeners;
    private final ExecutorService blocking;
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private final BackgroundPass pass;
    private volatile long head;
    /** The position up to which the caches were told; -1 before the first pass. */
    private long applied = -1;

    public ChangeFeed(Transactions transactions, ChangeFeedRepository repository, DeclarationCache declarations,
                      List<ChangeListener> listeners,
                      @Named(TaskExecutors.BLOCKING) ExecutorService blocking,
                      @Value("${consent.feed.tick:100ms}") Duration tick) {
        this.transactions = transactions;
        this.repository = repository;
        this.declarations = declarations;
        this.listeners = listeners.stream().sorted(Comparator.comparingInt(ChangeListener::order)).toList();
        this.blocking = blocking;
        this.pass = new BackgroundPass("consent-change-feed", tick, Duration.ofMillis(COALESCE_MILLIS), this::runPass,
                LOG);
    }

    @Override
    public BackgroundPass backgroundPass() {
        return pass;
    }

    @PreDestroy
    void stop() {
        waiters.forEach(w -> w.future.complete(FeedPage.empty(w.after)));
    }

    /** In the writing transaction: each changed purpose's new decision, as the aggregate now decides it. */
    @EventListener
    void record(ConsentChanged changed) {
        PatientConsents after = changed.after();
        for (ConsentEvent e : changed.events()) {
            repository.patientChange(after.application(), after.patient(), e.purpose(), after.decide(e.purpose()),
                    after.consent(e.purpose()).version(), e.at());
        }
    }

    /**
     * In the writing transaction: what a catalogue change tells every patient's cache. A new
     * application has no patient to tell (its caches are forgotten on this instance when it commits).
     */
    @EventListener
    void record(CatalogueChanged changed) {
        Instant now = Clock.now();
        switch (changed.change()) {
            case REGISTERED -> {
            }
            case PURPOSE_DECLARED -> repository.applicationChange(changed.application(), changed.purpose(), null, now);
            case NOTICE_PUBLISHED -> repository.applicationChange(changed.application(), changed.purpose(),
                    ApplicationTerms.afterNewNotice(changed.purpose()).orElse(null), now);
            case STATUS_CHANGED -> repository.applicationChange(changed.application(), null,
                    ApplicationTerms.afterStatus(changed.status()).orElse(null), now);
        }
    }

    /** After the commit: this instance's caches forget at once, and the pass numbers the change now rather than at the next tick. */
    @EventListener
    void committed(Committed committed) {
        boolean changes = false;
        for (DomainEvent event : committed.events()) {
            if (event instanceof ConsentChanged c) {
                tell(c.after().application(), c.after().patient());
                changes = true;
            } else if (event instanceof CatalogueChanged c) {
                tell(c.application(), null);
                changes = true;
            }
        }
        if (changes) {
            pass.wake();
        }
    }

    private void tell(ApplicationId application, health.consent.model.PatientId patient) {
        listeners.forEach(l -> l.changed(application, patient));
    }

    /**
     * The application's changes after {@code after}, waiting up to {@code wait} for one to appear.
     * With no {@code after}, answers at once with no change and the current position.
     */
    public CompletableFuture<FeedPage> poll(ApplicationId application, Long after, int waitSeconds) {
        return CompletableFuture.supplyAsync(() -> {
            long known = repository.head();
            head = Math.max(head, known);
            if (after == null) {
                return FeedPage.empty(known);
            }
            if (after > known) {
                return FeedPage.resetTo(known);
            }
            return read(application, after, known);
        }, blocking).thenCompose(first -> {
            if (after == null || !first.changes().isEmpty() || first.reset() || waitSeconds == 0) {
                return CompletableFuture.completedFuture(first);
            }
            Waiter waiter = new Waiter(application, first.next(),
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds));
            waiters.add(waiter);
            // The head may have moved between the read and the registration.
            wake(waiter, head);
            return waiter.future;
        });
    }

    /**
     * The application's changes in a range. A suspended application learns nothing about patients:
     * it gets the catalogue's changes (its suspension, its reactivation) and none of its patients'.
     */
    private FeedPage read(ApplicationId application, long after, long upTo) {
        List<FeedChange> changes = repository.read(application, after, upTo, PAGE);
        long next = changes.size() == PAGE ? changes.get(changes.size() - 1).seq() : Math.max(after, upTo);
        if (declarations.find(application).map(a -> a.status() == ApplicationStatus.SUSPENDED).orElse(false)) {
            changes = changes.stream().filter(FeedChange::isBulk).toList();
        }
        return new FeedPage(changes, next);
    }

    /** One pass: number new changes, learn the new head, tell the caches, wake the waiting requests. */
    private void runPass() {
        while (transactions.write(repository::sequence) > 0) {
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
            List<Changed> changed = repository.changedBetween(applied, known, INVALIDATION_BATCH);
            if (changed.size() == INVALIDATION_BATCH) {
                listeners.forEach(ChangeListener::changedEverything);
            } else {
                for (Changed c : changed) {
                    tell(c.application(), c.patient());
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
                FeedPage changes = upTo > w.seen ? read(w.application, w.after, upTo) : FeedPage.empty(w.seen);
                w.seen = Math.max(w.seen, upTo);
                if (!changes.changes().isEmpty() || System.nanoTime() - w.deadline >= 0) {
                    waiters.remove(w);
                    w.future.complete(changes.changes().isEmpty() ? FeedPage.empty(w.seen) : changes);
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
        final ApplicationId application;
        final long after;
        final long deadline;
        final CompletableFuture<FeedPage> future = new CompletableFuture<>();
        final AtomicBoolean busy = new AtomicBoolean();
        volatile long seen;

        Waiter(ApplicationId application, long after, long deadline) {
            this.application = application;
            this.after = after;
            this.seen = after;
            this.deadline = deadline;
        }
    }
}
