package health.consent.service.db;

import health.consent.service.events.Committed;
import health.consent.service.events.DomainEvent;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Transactions, and the events they publish. A writer {@link #publish publishes} what it changed
 * inside its transaction: listeners that must write with it (the change feed's rows) run there and
 * then, in the same transaction; once it commits, one {@link Committed} event carries everything
 * it published to the observers that only need to know (caches, the feed's and the log's passes).
 * A transaction that rolls back publishes nothing.
 */
@Singleton
public class Transactions {

    private final TransactionOperations<Connection> transactions;
    private final ApplicationEventPublisher<Object> publisher;
    private final ThreadLocal<List<DomainEvent>> published = new ThreadLocal<>();

    public Transactions(TransactionOperations<Connection> transactions, ApplicationEventPublisher<Object> publisher) {
        this.transactions = transactions;
        this.publisher = publisher;
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
            result = Db.reachable(() -> transactions.executeWrite(status -> work.get()));
        } finally {
            published.remove();
        }
        if (!events.isEmpty()) {
            publisher.publishEvent(new Committed(List.copyOf(events)));
        }
        return result;
    }

    /** Runs the work in one read-only transaction, so that its reads see one state. */
    public <T> T read(Supplier<T> work) {
        if (published.get() != null) {
            return work.get();
        }
        return Db.reachable(() -> transactions.executeRead(status -> work.get()));
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
     * rolls the whole transaction back), and observers hear of it once the transaction commits.
     */
    public void publish(DomainEvent event) {
        List<DomainEvent> events = published.get();
        if (events == null) {
            throw new IllegalStateException("an event is published by the transaction that makes the change");
        }
        publisher.publishEvent(event);
        events.add(event);
    }
}
