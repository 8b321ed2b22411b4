package health.consent.service.db;

import health.consent.service.events.Committed;
import health.consent.service.events.DomainEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.BeanContext;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.order.OrderUtil;
import io.micronaut.inject.qualifiers.Qualifiers;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactions, and the events they publish. A writer {@link #publish publishes} what it changed
 * inside its transaction: listeners that must write with it (the change feed's rows) run there and
 * then, in the same transaction (the feed's leaving its statement for the end of the transaction,
 * {@link Db#atCommit}); once it commits, one {@link Committed} event carries everything
 * it published to the observers that only need to know (caches, the feed's and the log's passes),
 * each told on its own.
 * A transaction that rolls back publishes nothing.
 */
@Singleton
public class Transactions {

    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);

    private final TransactionOperations<Connection> transactions;
    private final TransactionOperations<Connection> replica;
    private final Db db;
    private final ApplicationEventPublisher<Object> publisher;
    private final BeanContext beans;
    /** The observers of commits, in their order: found at the first commit (they may depend on this). */
    private volatile List<ApplicationEventListener<Committed>> observers;
    private final ThreadLocal<List<DomainEvent>> published = new ThreadLocal<>();
    private final AtomicBoolean replicaFailing = new AtomicBoolean();
    /** How long the replica is left alone after it failed: its reads do not each wait for it meanwhile. */
    private static final long REPLICA_PAUSE_NANOS = 10_000_000_000L;
    /** After a replica failure, its reads go straight to the primary until then (nanoTime). */
    private volatile long replicaRetryAt = System.nanoTime();
    private final Counter replicaFailures;

    public Transactions(TransactionOperations<Connection> transactions,
                        @Named(Db.REPLICA) @Nullable TransactionOperations<Connection> replica, Db db,
                        ApplicationEventPublisher<Object> publisher, BeanContext beans, MeterRegistry meters) {
        this.beans = beans;
        this.transactions = transactions;
        this.replica = replica;
        this.db = db;
        this.publisher = publisher;
        this.replicaFailures = Counter.builder("consent.replica.failures")
                .description("Reads the read replica failed; its reads then go to the primary for a while")
                .register(meters);
    }

    /** Runs the work in one transaction: all its writes land together or not at all. */
    public <T> T write(Supplier<T> work) {
        if (published.get() != null) {
            // Already inside a write: join it; its commit publishes for both.
            return work.get();
        }
        List<DomainEvent> events = new ArrayList<>();
        published.set(events);
        T result;
        try {
            result = db.onReplica(false, () -> Db.reachable(() -> transactions.executeWrite(status -> db.writing(status, work))));
        } finally {
            published.remove();
        }
        if (!events.isEmpty()) {
            tell(new Committed(List.copyOf(events)));
        }
        return result;
    }

    /**
     * Tells every observer of commits, in their order, each on its own: one that fails is logged and
     * the others are told all the same. The write committed: its answer stands (and a group of writes
     * must never be written again because an observer failed).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void tell(Committed committed) {
        List<ApplicationEventListener<Committed>> all = observers;
        if (all == null) {
            List found = new ArrayList<>(beans.getBeansOfType(ApplicationEventListener.class,
                    Qualifiers.byTypeArguments(Committed.class)));
            OrderUtil.sort(found);
            observers = all = List.copyOf(found);
        }
        for (ApplicationEventListener<Committed> observer : all) {
            try {
                if (observer.supports(committed)) {
                    observer.onApplicationEvent(committed);
                }
            } catch (RuntimeException | LinkageError | AssertionError e) {
                LOG.error("An observer of a committed write failed; the others were told: {}", observer, e);
            }
        }
    }

    /** Runs the work in one read-only transaction, so that its reads see one state. */
    public <T> T read(Supplier<T> work) {
        if (published.get() != null) {
            return work.get();
        }
        return db.onReplica(false, () -> Db.reachable(() -> transactions.executeRead(status -> work.get())));
    }

    /**
     * Runs the work in one read-only transaction on the read replica ({@code JDBC_READ_URL}), for
     * reads that tolerate the replica's lag: access logs, the regulators' trail and findings,
     * reports, exports. Without a replica, or when it fails, on the primary (the work may then
     * run twice: it must not keep anything from a failed run); after a failure, for ten seconds,
     * straight on the primary, so that reads do not each wait for a replica that is down. Never
     * for what a caller must see right after writing it (decisions, a patient's own consents).
     */
    public <T> T lagging(Supplier<T> work) {
        if (replica == null || published.get() != null || System.nanoTime() - replicaRetryAt < 0) {
            return read(work);
        }
        try {
            T result = db.onReplica(true, () -> Db.reachable(() -> replica.executeRead(status -> work.get())));
            if (replicaFailing.compareAndSet(true, false)) {
                LOG.info("The read replica answers again");
            }
            return result;
        } catch (RuntimeException e) {
            // Unreachable, or a query the standby cancelled (a recovery conflict): the primary answers.
            // A statement that is wrong fails there the same way, and that failure is the caller's.
            replicaFailures.increment();
            replicaRetryAt = System.nanoTime() + REPLICA_PAUSE_NANOS;
            if (replicaFailing.compareAndSet(false, true)) {
                LOG.warn("The read replica failed; reading from the primary meanwhile: {}",
                        e.getCause() == null ? e.toString() : e.getCause().toString());
            }
            return read(work);
        }
    }

    /** True when the failure is a unique-key violation (SQLSTATE 23505 in PostgreSQL and H2): a race to insert the same row. */
    public static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Publishes what the current write changed: its in-transaction listeners run now (a failure
     * rolls the whole transaction back), and observers hear of it (of each of its
     * {@link DomainEvent#parts parts}) once the transaction commits.
     */
    public void publish(DomainEvent event) {
        List<DomainEvent> events = published.get();
        if (events == null) {
            throw new IllegalStateException("an event is published by the transaction that makes the change");
        }
        publisher.publishEvent(event);
        events.addAll(event.parts());
    }
}
