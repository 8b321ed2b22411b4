package health.consent.service.feed;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationTerms;
import health.consent.model.ConsentEvent;
import health.consent.model.PatientConsents;
import health.consent.model.PatientId;
import health.consent.model.wire.FeedChange;
import health.consent.model.wire.FeedPage;
import health.consent.service.catalogue.CatalogueRepository;
import health.consent.service.db.BackgroundPass;
import health.consent.service.db.BackgroundWork;
import health.consent.service.db.Clock;
import health.consent.service.db.Transactions;
import health.consent.service.events.CatalogueChanged;
import health.consent.service.events.ChangeListener;
import health.consent.service.events.Committed;
import health.consent.service.events.ConsentChanged;
import health.consent.service.events.ConsentsChanged;
import health.consent.service.events.DomainEvent;
import health.consent.service.feed.ChangeFeedRepository.Entry;
import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Value;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-poll change feed, built so that ten thousand waiting requests cost what ten do.
 *
 * <p>It listens to what writers publish: inside their transaction it writes the feed's rows,
 * numbered (so a change and its feed entry commit together, in the order of their numbers: see
 * {@link ChangeFeedRepository#patientChanges}); once they commit it tells this instance's caches
 * and wakes its pass. One thread per instance runs the pass: it tells the other instances of the
 * changes written here (on PostgreSQL, a notification), numbers any change an earlier version left
 * unnumbered (see {@link ChangeFeedRepository#sequence()}), reads every application's new changes
 * in <em>one</em>
 * query, tells the caches, and completes the waiting requests of the applications concerned from
 * that read, in memory. A waiting request holds no thread and no database connection: a few
 * hundred bytes in its application's set. Each application may hold a bounded number of waits.
 */
@Singleton
public class ChangeFeed implements BackgroundWork {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

    /** The most changes one answer carries; a client asks again with the {@code next} it got. */
    static final int PAGE = 1_000;

    /** How long a pass waits for more writes once woken by one. */
    private static final long COALESCE_MILLIS = 5;

    /** The most changes one read of the pass takes; a larger backlog is read in several. */
    private static final int READ_BATCH = 10_000;

    /** How many answers one task completes, when many are due at once. */
    private static final int SEND_CHUNK = 256;

    /** The width of a slot of {@link #dueBy}: a wait ends at most this late (passes run at least every tick). */
    private static final long DUE_SLOT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** How many of the latest changes are kept in memory to answer requests without reading. */
    private static final int RECENT = 50_000;

    private final Transactions transactions;
    private final ChangeFeedRepository repository;
    private final CatalogueRepository catalogue;
    private final List<ChangeListener> listeners;
    private final ExecutorService blocking;
    private final int maxWaitsPerApplication;
    private final BackgroundPass pass;
    private final Map<ApplicationId, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    /**
     * The waiting requests by the slot of time their wait ends in, so that a pass answers those due
     * without looking at every waiting request. Added to and emptied under {@link #handOut}.
     */
    private final ConcurrentSkipListMap<Long, Set<Waiter>> dueBy = new ConcurrentSkipListMap<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    /** Held while the pass hands out changes, and while a request registers to wait: neither misses the other. */
    private final ReentrantLock handOut = new ReentrantLock();
    private final Timer deliveryLag;
    /** The position up to which every change has been read and handed out; -1 before the first pass. */
    private volatile long delivered = -1;
    /**
     * The latest changes the passes read, for every application, by position: every change after
     * {@link #recentFrom} and up to {@link #delivered} is here. A request asking from a recent
     * position is answered from memory. Guarded by {@link #handOut}.
     */
    private final NavigableMap<Long, Entry> recent = new TreeMap<>();
    private long recentFrom = -1;
    /**
     * The suspended applications as of the changes handed out: read by the first pass and again by
     * any pass that reads a catalogue change, before it hands that change out. Requests answered
     * from memory, on the event loop, ask it rather than the database. Null before the first pass.
     */
    private volatile Set<ApplicationId> suspended;
    /** Set once patients' changes (numbered by their writers) commit here: the next pass tells the other instances. */
    private final AtomicBoolean writtenHere = new AtomicBoolean();

    public ChangeFeed(Transactions transactions, ChangeFeedRepository repository, CatalogueRepository catalogue,
                      List<ChangeListener> listeners, @Named(TaskExecutors.BLOCKING) ExecutorService blocking,
                      MeterRegistry meters, @Value("${consent.feed.tick:100ms}") Duration tick,
                      @Value("${consent.feed.max-waits-per-application:2000}") int maxWaitsPerApplication) {
        this.transactions = transactions;
        this.repository = repository;
        this.catalogue = catalogue;
        this.listeners = listeners.stream().sorted(Comparator.comparingInt(ChangeListener::order)).toList();
        this.blocking = blocking;
        this.maxWaitsPerApplication = maxWaitsPerApplication;
        this.pass = new BackgroundPass("consent-change-feed", tick, Duration.ofMillis(COALESCE_MILLIS), this::runPass,
                LOG);
        Gauge.builder("consent.feed.waiting", waitingCount, AtomicInteger::get)
                .description("Long polls of the change feed waiting on this instance").register(meters);
        // No value (NaN) before the first pass: this instance has followed nothing yet.
        Gauge.builder("consent.feed.head", this, f -> f.delivered < 0 ? Double.NaN : f.delivered)
                .description("The feed position up to which this instance has handed out every change").register(meters);
        this.deliveryLag = Timer.builder("consent.feed.delivery.lag")
                .description("From a change's commit to its answer to a waiting request on this instance")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    @Override
    public BackgroundPass backgroundPass() {
        return pass;
    }

    /** Wakes the pass now rather than at the next tick: a change was committed here or, notified, elsewhere. */
    public void wake() {
        pass.wake();
    }

    @PreDestroy
    void stop() {
        waiting.values().forEach(set -> set.forEach(w -> w.answer(FeedPage.empty(w.seen))));
    }

    /**
     * In the writing transaction: each changed purpose's new decision, as the aggregate now decides
     * it, for every change of the group (one statement for them all).
     */
    @EventListener
    void record(ConsentsChanged group) {
        List<ChangeFeedRepository.PatientChange> rows = new ArrayList<>();
        for (ConsentChanged changed : group.changes()) {
            PatientConsents after = changed.after();
            for (ConsentEvent e : changed.events()) {
                rows.add(new ChangeFeedRepository.PatientChange(after.application(), after.patient(), e.purpose(),
                        after.decide(e.purpose()), after.consent(e.purpose()).version(), e.at(), changed.purgeOf(e)));
            }
        }
        repository.patientChanges(rows);
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
                return;
            }
            case PURPOSE_DECLARED -> repository.applicationChange(changed.application(), changed.purpose(), null, now);
            case NOTICE_PUBLISHED -> repository.applicationChange(changed.application(), changed.purpose(),
                    ApplicationTerms.afterNewNotice(changed.purpose()).orElse(null), now);
            case STATUS_CHANGED -> repository.applicationChange(changed.application(), null,
                    ApplicationTerms.afterStatus(changed.status()).orElse(null), now);
        }
    }

    /**
     * After the commit: the pass is woken to hand the changes out and tell the other instances, and
     * this instance's caches forget at once.
     */
    @EventListener
    void committed(Committed committed) {
        List<DomainEvent> changes = committed.events().stream()
                .filter(e -> e instanceof ConsentChanged || e instanceof CatalogueChanged).toList();
        if (changes.isEmpty()) {
            return;
        }
        // First, so that a cache that fails to forget does not keep the change from the others.
        writtenHere.set(true);
        pass.wake();
        for (DomainEvent event : changes) {
            if (event instanceof ConsentChanged c) {
                tell(c.after().application(), c.after().patient());
            } else if (event instanceof CatalogueChanged c) {
                tell(c.application(), null);
            }
        }
    }

    private void tell(ApplicationId application, PatientId patient) {
        listeners.forEach(l -> l.changed(application, patient));
    }

    /**
     * The application's changes after {@code after}, waiting up to {@code wait} for one to appear;
     * refused when the application already has its allowed number of waiting requests. With no
     * {@code after}, answers at once with no change and the current position; beyond the head,
     * with a reset.
     */
    public Result<CompletableFuture<FeedPage>> poll(ApplicationId application, Long after, int waitSeconds) {
        if (after != null && atAllowance(application, waitSeconds)) {
            return Result.refused(Refusal.busy("too-many-waits", "application '" + application + "' already has "
                    + maxWaitsPerApplication + " requests waiting on this instance; ask again later", 1));
        }
        if (after != null) {
            CompletableFuture<FeedPage> fromMemory = fromMemory(application, after, waitSeconds);
            if (fromMemory != null) {
                return Result.ok(fromMemory);
            }
        }
        return Result.ok(CompletableFuture.supplyAsync(() -> {
            long known = repository.head();
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
            register(waiter);
            return waiter.future;
        }));
    }

    /**
     * The long poll when memory can answer it: a recent position, and the application under its
     * allowed number of waits. Null when it needs the database, or the refusal {@link #poll} gives.
     */
    public CompletableFuture<FeedPage> pollFromMemory(ApplicationId application, long after, int waitSeconds) {
        if (atAllowance(application, waitSeconds)) {
            return null;
        }
        return fromMemory(application, after, waitSeconds);
    }

    /**
     * The usual case, answered without reading the database: the request asks from a position the
     * passes read recently. Its changes are taken from memory, or it waits for the next pass.
     * Null when the position is older (or newer) than what memory holds.
     */
    private CompletableFuture<FeedPage> fromMemory(ApplicationId application, long after, int waitSeconds) {
        handOut.lock();
        try {
            if (delivered < 0 || after < recentFrom || after > delivered) {
                return null;
            }
            boolean bulkOnly = suspended(application);
            List<FeedChange> mine = new ArrayList<>();
            for (Entry e : recent.tailMap(after, false).values()) {
                if (e.application().equals(application) && (!bulkOnly || e.change().isBulk())) {
                    mine.add(e.change());
                    if (mine.size() == PAGE) {
                        break;
                    }
                }
            }
            if (!mine.isEmpty() || waitSeconds == 0) {
                long next = mine.size() == PAGE ? mine.get(PAGE - 1).seq() : delivered;
                return CompletableFuture.completedFuture(new FeedPage(mine, next));
            }
            Waiter waiter = new Waiter(application, delivered, System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds));
            enlist(waiter);
            return waiter.future;
        } finally {
            handOut.unlock();
        }
    }

    /**
     * Adds a request to the waiting ones. If the pass handed out changes beyond what the request
     * read while it was reading, it first catches up on them alone.
     */
    private void register(Waiter waiter) {
        handOut.lock();
        try {
            if (delivered < 0 || waiter.seen >= delivered) {
                enlist(waiter);
                return;
            }
        } finally {
            handOut.unlock();
        }
        long upTo = delivered;
        blocking.execute(() -> {
            try {
                FeedPage page = read(waiter.application, waiter.seen, upTo);
                if (!page.changes().isEmpty()) {
                    waiter.answer(page);
                } else {
                    waiter.seen = page.next();
                    register(waiter);
                }
            } catch (RuntimeException e) {
                waiter.future.completeExceptionally(e);
            }
        });
    }

    /**
     * Adds a request to its application's waiting ones and to those due at its deadline. Under
     * {@link #handOut}. A wait whose answer is cancelled (its connection closed) stops at once.
     */
    private void enlist(Waiter waiter) {
        if (waitsOf(waiter.application).add(waiter)) {
            waitingCount.incrementAndGet();
            dueBy.computeIfAbsent(waiter.due, k -> ConcurrentHashMap.newKeySet()).add(waiter);
            waiter.future.whenComplete((page, failure) -> {
                if (failure instanceof CancellationException) {
                    waiter.leave();
                }
            });
        }
    }

    /** Whether a request that would wait finds its application with all its allowed waits taken. */
    private boolean atAllowance(ApplicationId application, int waitSeconds) {
        return waitSeconds > 0 && waitsOf(application).size() >= maxWaitsPerApplication;
    }

    private Set<Waiter> waitsOf(ApplicationId application) {
        return waiting.computeIfAbsent(application, k -> ConcurrentHashMap.newKeySet());
    }

    /** On the blocking pool: the application's changes from the database. */
    private FeedPage read(ApplicationId application, long after, long upTo) {
        List<FeedChange> changes = repository.read(application, after, upTo, PAGE);
        long next = changes.size() == PAGE ? changes.get(changes.size() - 1).seq() : Math.max(after, upTo);
        // Beyond what the passes handed out, the statuses they know may be older than the changes read.
        boolean bulkOnly = upTo > delivered ? catalogue.suspended().contains(application) : suspended(application);
        return new FeedPage(bulkOnly ? onlyBulk(changes) : changes, next);
    }

    /**
     * A suspended application learns nothing about patients: the catalogue's changes only. Asked of
     * memory, as of the changes handed out (never a database read on the event loop, nor under
     * {@link #handOut}); set by the first pass, before anything is answered from memory.
     */
    private boolean suspended(ApplicationId application) {
        Set<ApplicationId> known = suspended;
        return known != null && known.contains(application);
    }

    private static List<FeedChange> onlyBulk(List<FeedChange> changes) {
        return changes.stream().filter(FeedChange::isBulk).toList();
    }

    /** One pass: number new changes, read them all at once, tell the caches, answer the requests they concern. */
    private void runPass() {
        // A pass after changes written here, or that numbered some, tells the other instances: one
        // notification per pass, not per change, and never in a writing transaction (on PostgreSQL,
        // transactions that notify commit one at a time, and a writer holds the feed's counter
        // until it commits). The flag is read after the commits that set it, so the notification
        // leaves after them; a pass that fails leaves it set for the next.
        boolean[] toTell = {writtenHere.getAndSet(false)};
        try {
            while (transactions.write(() -> {
                int numbered = repository.sequence();
                if (numbered > 0 || toTell[0]) {
                    repository.notifyOthers();
                }
                return numbered;
            }) > 0) {
                toTell[0] = false;
            }
            toTell[0] = false;
        } finally {
            if (toTell[0]) {
                writtenHere.set(true);
            }
        }
        long known = repository.head();
        if (suspended == null) {
            suspended = catalogue.suspended();
        }
        if (delivered < 0) {
            // Whatever was cached before this instance followed the feed may be stale. Requests
            // that came before this first pass are answered from where they read.
            listeners.forEach(ChangeListener::changedEverything);
            long from = known;
            for (Set<Waiter> waiters : waiting.values()) {
                for (Waiter w : waiters) {
                    from = Math.min(from, w.seen);
                }
            }
            handOut.lock();
            try {
                recentFrom = from;
                delivered = from;
            } finally {
                handOut.unlock();
            }
        }
        while (delivered < known) {
            List<Entry> entries = repository.readAll(delivered, known, READ_BATCH);
            long upTo = entries.size() == READ_BATCH ? entries.get(entries.size() - 1).change().seq() : known;
            Set<ApplicationId> nowSuspended = null;
            for (Entry e : entries) {
                tell(e.application(), e.patient());
                if (e.change().patientId() == null && nowSuspended == null) {
                    // A catalogue change, perhaps of a status: read the statuses before handing it out.
                    nowSuspended = catalogue.suspended();
                }
            }
            handOut(entries, upTo, nowSuspended);
        }
        listeners.forEach(ChangeListener::synced);
        expire();
    }

    /** Completes the waiting requests of the applications that changed, from the changes read, in memory. */
    private void handOut(List<Entry> entries, long upTo, Set<ApplicationId> nowSuspended) {
        Map<ApplicationId, List<Entry>> byApplication = new HashMap<>();
        for (Entry e : entries) {
            if (waiting.containsKey(e.application())) {
                byApplication.computeIfAbsent(e.application(), k -> new ArrayList<>()).add(e);
            }
        }
        List<Answer> answers = new ArrayList<>();
        handOut.lock();
        try {
            if (nowSuspended != null) {
                suspended = nowSuspended;
            }
            for (Entry e : entries) {
                recent.put(e.change().seq(), e);
            }
            while (recent.size() > RECENT) {
                recentFrom = recent.pollFirstEntry().getKey();
            }
            byApplication.forEach((application, changes) -> {
                Set<Waiter> waiters = waiting.get(application);
                if (waiters == null || waiters.isEmpty()) {
                    return;
                }
                boolean bulkOnly = suspended(application);
                // A waiter that read up to before all of these changes (nearly every one: it waits from
                // where the passes had delivered) is handed all of them: one page, shared by all such
                // waiters (and encoded once by the connection's handler). One that read further has its own.
                long first = changes.stream().mapToLong(e -> e.change().seq()).min().orElseThrow();
                Optional<Page> all = pageAfter(changes, first - 1, bulkOnly, upTo);
                for (Waiter w : waiters) {
                    Optional<Page> page = w.seen < first ? all : pageAfter(changes, w.seen, bulkOnly, upTo);
                    if (page.isPresent() && w.leave()) {
                        answers.add(new Answer(w, page.get().page(), page.get().oldest()));
                    }
                }
            });
            delivered = upTo;
        } finally {
            handOut.unlock();
        }
        send(answers);
    }

    /** The page of {@code changes} after {@code seen}, or empty when none concerns it. */
    private static Optional<Page> pageAfter(List<Entry> changes, long seen, boolean bulkOnly, long upTo) {
        List<FeedChange> mine = new ArrayList<>();
        Instant oldest = null;
        for (Entry e : changes) {
            if (e.change().seq() > seen && (!bulkOnly || e.change().isBulk()) && mine.size() < PAGE) {
                mine.add(e.change());
                oldest = oldest == null ? e.at() : oldest;
            }
        }
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        long next = mine.size() == PAGE ? mine.get(PAGE - 1).seq() : upTo;
        return Optional.of(new Page(new FeedPage(mine, next), oldest));
    }

    /** Answers the requests whose wait is over: no change, and the position up to which nothing concerned them. */
    private void expire() {
        long now = System.nanoTime();
        List<Answer> answers = new ArrayList<>();
        handOut.lock();
        try {
            // Only the requests due by now, not every waiting one: passes run at every change.
            Map.Entry<Long, Set<Waiter>> due;
            // Nearly every waiter read up to what was delivered: one empty page for them all.
            FeedPage quiet = FeedPage.empty(delivered);
            while ((due = dueBy.firstEntry()) != null && due.getKey() <= Math.floorDiv(now, DUE_SLOT_NANOS)) {
                dueBy.remove(due.getKey());
                for (Waiter w : due.getValue()) {
                    if (w.leave()) {
                        answers.add(new Answer(w, w.seen > delivered ? FeedPage.empty(w.seen) : quiet, null));
                    }
                }
            }
        } finally {
            handOut.unlock();
        }
        send(answers);
    }

    /** An answer to a waiting request, and when the oldest change it carries was committed. */
    private record Answer(Waiter waiter, FeedPage page, Instant oldest) {
    }

    /** A page of changes, and when the oldest change it carries was committed. */
    private record Page(FeedPage page, Instant oldest) {
    }

    /**
     * Completes answers outside the lock (completing one writes its response), a few hundred per
     * task on the blocking pool, so that thousands at once neither hold up requests registering
     * nor the next pass.
     */
    private void send(List<Answer> answers) {
        for (int from = 0; from < answers.size(); from += SEND_CHUNK) {
            List<Answer> chunk = answers.subList(from, Math.min(answers.size(), from + SEND_CHUNK));
            Runnable complete = () -> {
                Instant now = Instant.now();
                for (Answer a : chunk) {
                    a.waiter().future.complete(a.page());
                    if (a.oldest() != null) {
                        deliveryLag.record(Duration.between(a.oldest(), now).abs());
                    }
                }
            };
            if (answers.size() <= SEND_CHUNK) {
                complete.run();
            } else {
                blocking.execute(complete);
            }
        }
    }

    /** A request waiting for its application's next change: what it has seen, and until when it waits. */
    private final class Waiter {
        final ApplicationId application;
        /** The slot of {@link #dueBy} its deadline falls in: the first whole slot at or after it. */
        final long due;
        final CompletableFuture<FeedPage> future = new CompletableFuture<>();
        volatile long seen;

        Waiter(ApplicationId application, long seen, long deadline) {
            this.application = application;
            this.seen = seen;
            this.due = Math.floorDiv(deadline, DUE_SLOT_NANOS) + (Math.floorMod(deadline, DUE_SLOT_NANOS) == 0 ? 0 : 1);
        }

        /** Stops waiting; false when it already had (another answer is on its way). */
        boolean leave() {
            Set<Waiter> waiters = waiting.get(application);
            if (waiters != null && waiters.remove(this)) {
                waitingCount.decrementAndGet();
                Set<Waiter> slot = dueBy.get(due);
                if (slot != null) {
                    slot.remove(this);
                }
                return true;
            }
            return false;
        }

        /** Answers once, and stops waiting. */
        void answer(FeedPage page) {
            leave();
            future.complete(page);
        }
    }
}
