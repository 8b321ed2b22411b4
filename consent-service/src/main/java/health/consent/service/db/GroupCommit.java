package health.consent.service.db;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
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
 * <p>A group that fails is written again item by item, each in its own transaction, so that one
 * item's failure (a race to insert the same row, a deadlock, a bug) is that item's alone. A failure
 * to reach the database is every item's: the group is not retried.
 *
 * @param <I> what a caller writes
 * @param <R> what it is answered
 */
public final class GroupCommit<I, R> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** A caller's item and its answer; with neither, a committer's signal to stop. */
    private record Pending<I, R>(I item, CompletableFuture<R> answer) {
    }

    private final LinkedBlockingQueue<Pending<I, R>> queue = new LinkedBlockingQueue<>();
    private final Function<List<I>, List<R>> group;
    private final Function<I, R> alone;
    private final IntConsumer written;
    private final int maxGroup;
    private final List<Thread> committers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param name      the committer threads' name
     * @param committers how many groups may be written at once (each holds one pooled connection)
     * @param maxGroup  the most items in one group
     * @param group     writes a group of items in one transaction; answers in the order of the items
     * @param alone     writes one item in its own transaction: an item that waited alone, or each of a
     *                  group that failed (where a failure may be retried)
     * @param written   told the number of items each committer takes at once
     */
    public GroupCommit(String name, int committers, int maxGroup, Function<List<I>, List<R>> group,
                       Function<I, R> alone, IntConsumer written) {
        if (committers < 1 || maxGroup < 1) {
            throw new IllegalArgumentException("at least one committer and one item a group");
        }
        this.group = group;
        this.alone = alone;
        this.written = written;
        this.maxGroup = maxGroup;
        for (int i = 0; i < committers; i++) {
            Thread t = new Thread(this::commitWhatWaits, name + "-" + i);
            t.setDaemon(true);
            this.committers.add(t);
            t.start();
        }
    }

    /**
     * Writes the item with whatever else is waiting; returns once it is committed. A failure is
     * thrown as the write threw it.
     */
    public R submit(I item) {
        if (closed) {
            throw new IllegalStateException("closed: no more writes are taken");
        }
        CompletableFuture<R> answer = new CompletableFuture<>();
        Pending<I, R> pending = new Pending<>(item, answer);
        queue.add(pending);
        if (closed && queue.remove(pending)) {
            // Closed meanwhile, and no committer took it: the committers may be gone.
            throw new IllegalStateException("closed: no more writes are taken");
        }
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the write was committed", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void commitWhatWaits() {
        List<Pending<I, R>> taken = new ArrayList<>(maxGroup);
        while (true) {
            try {
                taken.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(taken, maxGroup - 1);
            // Taken with a signal to stop: what was taken with it is written all the same (its callers wait),
            // and the other committers' signals, taken with it, go back for them.
            int signals = taken.size();
            taken.removeIf(p -> p.answer() == null);
            signals -= taken.size();
            boolean stop = signals > 0;
            for (int i = 1; i < signals; i++) {
                queue.add(new Pending<>(null, null));
            }
            if (!taken.isEmpty()) {
                write(taken);
            }
            taken.clear();
            if (stop) {
                return;
            }
        }
    }

    private void write(List<Pending<I, R>> taken) {
        written.accept(taken.size());
        if (taken.size() == 1) {
            writeAlone(taken.get(0));
            return;
        }
        List<I> items = new ArrayList<>(taken.size());
        taken.forEach(p -> items.add(p.item()));
        try {
            List<R> answers = group.apply(items);
            for (int i = 0; i < taken.size(); i++) {
                taken.get(i).answer().complete(answers.get(i));
            }
            return;
        } catch (RuntimeException | Error e) {
            if (Db.isConnectionFailure(e)) {
                taken.forEach(p -> p.answer().completeExceptionally(e));
                return;
            }
            LOG.debug("A group of {} writes failed; writing them one by one: {}", taken.size(), e.toString());
        }
        taken.forEach(this::writeAlone);
    }

    private void writeAlone(Pending<I, R> p) {
        try {
            p.answer().complete(alone.apply(p.item()));
        } catch (RuntimeException | Error e) {
            p.answer().completeExceptionally(e);
        }
    }

    /** How many items wait for a committer to take them. */
    public int waiting() {
        return queue.size();
    }

    /** Answers what is still waiting with a failure. */
    private void failWaiting() {
        for (Pending<I, R> p; (p = queue.poll()) != null; ) {
            if (p.answer() != null) {
                p.answer().completeExceptionally(new IllegalStateException("closed before the write was committed"));
            }
        }
    }

    /** Stops taking writes: the groups being written finish, what still waits is answered with a failure. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        committers.forEach(t -> queue.add(new Pending<>(null, null)));
        for (Thread t : committers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        failWaiting();
    }
}
