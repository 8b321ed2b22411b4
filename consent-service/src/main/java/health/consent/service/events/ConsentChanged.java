package health.consent.service.events;

import health.consent.model.ConsentEvent;
import health.consent.model.PatientConsents;
import java.util.List;
import java.util.Map;

/**
 * A patient's consents to an application changed: {@code events} as stored (numbered), and the
 * aggregate after them, from which every decision they change is derived; {@code purges} the purge
 * obligations they created, by event seq.
 */
public record ConsentChanged(PatientConsents after, List<ConsentEvent> events, Map<Long, String> purges)
        implements DomainEvent {

    public ConsentChanged {
        events = List.copyOf(events);
        purges = Map.copyOf(purges);
    }

    /** The id of the purge obligation the event (by seq) created, or null. */
    public String purgeOf(ConsentEvent e) {
        return purges.get(e.seq());
    }
}
