package health.consent.service.events;

import health.consent.model.ConsentEvent;
import health.consent.model.PatientConsents;
import java.util.List;

/**
 * A patient's consents to an application changed: {@code events} as stored (numbered), and the
 * aggregate after them, from which every decision they change is derived.
 */
public record ConsentChanged(PatientConsents after, List<ConsentEvent> events) implements DomainEvent {

    public ConsentChanged {
        events = List.copyOf(events);
    }
}
