package health.consent.service.events;

import java.util.List;

/**
 * Patients' consent changes written in one transaction, in the order they were applied: what the
 * consent feature publishes, so that listeners writing with it (the change feed's rows) write the
 * whole group at once. Observers of the commit receive each {@link ConsentChanged} on its own.
 */
public record ConsentsChanged(List<ConsentChanged> changes) implements DomainEvent {

    public ConsentsChanged {
        changes = List.copyOf(changes);
    }

    @Override
    public List<DomainEvent> parts() {
        return List.copyOf(changes);
    }
}
