package health.consent.service.events;

import java.util.List;

/** A transaction committed: everything it published, in order. Published once per transaction, after the commit. */
public record Committed(List<DomainEvent> events) {

    public Committed {
        events = List.copyOf(events);
    }

    public boolean has(Class<? extends DomainEvent> type) {
        return events.stream().anyMatch(type::isInstance);
    }
}
