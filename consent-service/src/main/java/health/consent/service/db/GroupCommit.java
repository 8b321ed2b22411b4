package health.consent.service.db;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes that callers make one at a time, committed in groups: each caller's item waits in a queue,
 * a few committer threads each take what is waiting (up to a bound) and write it in one
 * transaction, and every caller is answered once the transaction that holds its item has committed.
 * Durability is unchanged (each answer follows a synchronous commit), but a commit, its round trips
 * and its statements are shared by as many items as arrived meanwhile: one under light load (no
 * wait added), many under heavy load.
 *
 * <p>A group whose write fails is written again item by item, each in its own transaction, so that
 * one item's failure (a race to insert the same row, a deadlock, a bug) is that item's alone. A
 * failure to reach the database is every item's: nothing is written again. An item that no
 * committer has taken within {@code maxWait} (the committers are all held, by a slow or unreachable
 * database) is not written: its caller is answered that the database is unavailable, as one that
 * waited that long for a pooled connection would be.
 *
 * @param <I> what a caller writes
 * @param <R> what it is answered
 */
public final class GroupCommit<I, R> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    private static final int SWEEP_ABANDONED = 1_024;

    /** A caller's item and its answer; with neither, a committer's signal to stop. */
    private record Pending<I, R>(I item, CompletableFuture<R> answer, AtomicBoolean claimed) {

        Pending(I item, CompletableFuture<R> answer) {
            this(item, answer, new AtomicBoolean());
        }

        boolean isStop() {
            return answer == null;
        }

        /** Taken by a committer to be written, or by its caller that stopped waiting: only once. */
        boolean claim() {
            return claimed.compareAndSet(false, true);
        }
    }

    private final LinkedBlockingQueue<Pending<I, R>> queue = new LinkedBlockingQueue<>();
    private final Function<List<I>, List<R>> group;
    private final Function<I, R> alone;
    private final IntConsumer written;
    private final int maxGroup;
    private final long maxWaitNanos;
    private final List<Thread> committers = new ArrayList<>();
    /** Items queued that no committer or timeout has claimed: those waiting. */
    private final AtomicInteger live = new AtomicInteger();
    /** Roughly, items claimed by their timeout but still in the queue. */
    private final AtomicInteger abandoned = new AtomicInteger();
    private final ScheduledExecutorService timeouts;
    private final List<Thread> timerThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /**
     * @param name       the committer threads' name
     * @param committers how many groups may be written at once (each holds one pooled connection)
     * @param maxGroup   the most items in one group
     * @param maxWait    how long an item may wait for a committer to take it
     * @param group      writes a group of items in one transaction; answers in the order of the
     *                   items. It must throw an exception (not an error) only when nothing of the
     *                   group was committed: a group that threw one is written again item by item
     * @param alone      writes one item in its own transaction: an item that waited alone, or each of
     *                   a group whose write failed (where a failure may be retried)
     * @param written    told the number of items each committer takes at once
     */
    public GroupCommit(String name, int committers, int maxGroup, Duration maxWait,
                       Function<List<I>, List<R>> group, Function<I, R> alone, IntConsumer written) {
        if (committers < 1 || maxGroup < 1) {
            throw new IllegalArgumentException("at least one committer and one item a group");
        }
        this.group = group;
        this.alone = alone;
        this.written = written;
        this.maxGroup = maxGroup;
        this.maxWaitNanos = maxWait.toNanos();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            // Named apart from the committers ("name-N"), which the system lists by the first 15 characters of their names.
            Thread t = new Thread(r, "timeouts-" + name);
            t.setDaemon(true);
            timerThreads.add(t);
            return t;
        });
        // Nearly every item is taken in time: its timeout, cancelled, leaves the timer's queue at once.
        timer.setRemoveOnCancelPolicy(true);
        this.timeouts = timer;
        for (int i = 0; i < committers; i++) {
            Thread t = new Thread(this::commitWhatWaits, name + "-" + i);
            t.setDaemon(true);
            this.committers.add(t);
            t.start();
        }
    }

    /**
     * Writes the item with whatever else is waiting. The answer completes, on a committer's thread,
     * once the transaction that holds the item has committed, or with the failure its write threw;
     * with {@link DatabaseUnavailableException} when no committer took the item in time, and
     * {@link IllegalStateException} once closed. No thread waits meanwhile: an event loop may call it.
     */
    public CompletableFuture<R> submit(I item) {
        try {
            // A copy: the caller cannot complete the answer the committer and the timeout share.
            return enqueue(item).answer().copy();
        } catch (IllegalStateException closedNow) {
            return CompletableFuture.failedFuture(closedNow);
        }
    }

    /** Queues an item, to be answered unavailable if no committer takes it within the wait allowed. */
    private Pending<I, R> enqueue(I item) {
        if (closed) {
            throw new IllegalStateException("closed: no more writes are taken");
        }
        Pending<I, R> pending = new Pending<>(item, new CompletableFuture<>());
        live.incrementAndGet();
        queue.add(pending);
        if (closed && queue.remove(pending)) {
            // Closed meanwhile, and no committer took it: the committers may be gone.
            live.decrementAndGet();
            throw new IllegalStateException("closed: no more writes are taken");
        }
        ScheduledFuture<?> late;
        try {
            late = timeouts.schedule(() -> {
                if (pending.claim()) {
                    // No committer took it: it will not be written, nor counted as waiting.
                    abandon(pending, notTaken());
                }
                // Taken: it is being written, and its answer follows that transaction's end.
            }, maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closedNow) {
            if (pending.claim()) {
                abandon(pending, new IllegalStateException("closed: no more writes are taken"));
            }
            return pending;
        }
        pending.answer().whenComplete((r, e) -> late.cancel(false));
        return pending;
    }

    /**
     * Answers an item claimed before any committer took it. It stays in the queue (removing it is a
     * walk of the queue under its lock, at every timeout); a committer drops it when it comes, and
     * the queue is cleared of such items once they are many.
     */
    private void abandon(Pending<I, R> pending, RuntimeException failure) {
        live.decrementAndGet();
        if (abandoned.incrementAndGet() >= SWEEP_ABANDONED) {
            abandoned.set(0);
            queue.removeIf(p -> !p.isStop() && p.claimed().get());
        }
        pending.answer().completeExceptionally(failure);
    }

    private DatabaseUnavailableException notTaken() {
        return new DatabaseUnavailableException(new SQLTransientConnectionException(
                "no transaction took the write within " + Duration.ofNanos(maxWaitNanos).toMillis() + " ms"));
    }

    private void commitWhatWaits() {
        List<Pending<I, R>> taken = new ArrayList<>(maxGroup);
        while (true) {
            // An interrupt is not a reason to stop (the signal is): cleared, so that it cannot fail the next write.
            Thread.interrupted();
            try {
                taken.add(queue.take());
            } catch (InterruptedException e) {
                continue;
            }
            int signals = 0;
            try {
                queue.drainTo(taken, maxGroup - 1);
                // Taken with a signal to stop: what was taken with it is written all the same (its callers
                // wait), and the other committers' signals, taken with it, go back for them.
                signals = taken.size();
                taken.removeIf(Pending::isStop);
                signals -= taken.size();
                for (int i = 1; i < signals; i++) {
                    queue.add(new Pending<>(null, null));
                }
                // Items whose callers stopped waiting are not written.
                taken.removeIf(p -> {
                    if (p.claim()) {
                        live.decrementAndGet();
                        return false;
                    }
                    abandoned.decrementAndGet();
                    return true;
                });
                if (!taken.isEmpty()) {
                    written.accept(taken.size());
                    write(taken);
                }
            } catch (Throwable t) {
                // Nothing may end a committer while others wait for it: every item taken is answered.
                LOG.error("A committer failed; its items are answered with the failure", t);
                taken.forEach(p -> {
                    if (p.answer() != null) {
                        p.answer().completeExceptionally(t);
                    }
                });
            }
            taken.clear();
            if (signals > 0) {
                return;
            }
        }
    }

    private void write(List<Pending<I, R>> taken) {
        if (taken.size() == 1) {
            writeAlone(taken.get(0));
            return;
        }
        List<I> items = new ArrayList<>(taken.size());
        taken.forEach(p -> items.add(p.item()));
        List<R> answers;
        try {
            answers = group.apply(items);
        } catch (RuntimeException | Error e) {
            if (e instanceof Error || Db.isConnectionFailure(e)) {
                // Out of reach: nothing to write again. An error: the group may have committed.
                taken.forEach(p -> p.answer().completeExceptionally(e));
                return;
            }
            LOG.debug("A group of {} writes failed; writing them one by one: {}", taken.size(), e.toString());
            for (Pending<I, R> p : taken) {
                Throwable unreachable = writeAlone(p);
                if (unreachable != null) {
                    // The database is out of reach: the rest would each wait for it in turn.
                    taken.forEach(q -> q.answer().completeExceptionally(unreachable));
                    return;
                }
            }
            return;
        }
        // Committed: answered from here on, whatever happens, never written again.
        for (int i = 0; i < taken.size(); i++) {
            if (i < answers.size()) {
                taken.get(i).answer().complete(answers.get(i));
            } else {
                taken.get(i).answer().completeExceptionally(new IllegalStateException("no answer for item " + i));
            }
        }
    }

    /** Writes the item alone and answers it; returns the failure when it was for want of the database. */
    private Throwable writeAlone(Pending<I, R> p) {
        try {
            p.answer().complete(alone.apply(p.item()));
            return null;
        } catch (RuntimeException | Error e) {
            p.answer().completeExceptionally(e);
            return Db.isConnectionFailure(e) ? e : null;
        }
    }

    /** True once {@link #close} began: no more writes are taken. */
    boolean isClosed() {
        return closed;
    }

    /** How many items wait for a committer to take them. */
    public int waiting() {
        return live.get();
    }

    /** What the queue holds: items waiting, items already answered that no committer took yet, signals. */
    int queued() {
        return queue.size();
    }

    /** Answers what is still waiting with a failure (the committers' signals to stop stay). */
    private void failWaiting() {
        queue.removeIf(p -> {
            if (p.isStop()) {
                return false;
            }
            if (p.claim()) {
                live.decrementAndGet();
                p.answer().completeExceptionally(new IllegalStateException("closed before the write was committed"));
            }
            return true;
        });
    }

    /** Stops taking writes: the groups being written finish, what still waits is answered with a failure. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        committers.forEach(t -> queue.add(new Pending<>(null, null)));
        awaitEnd(committers);
        failWaiting();
        timeouts.shutdownNow();
        // Closed means no thread of this left running, the timer's included.
        awaitEnd(timerThreads);
    }

    /** Waits up to ten seconds for each thread to end; stops waiting, interrupted. */
    private static void awaitEnd(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
