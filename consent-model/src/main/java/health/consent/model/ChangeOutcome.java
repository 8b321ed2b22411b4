package health.consent.model;

import java.util.List;

/** What a requested change of consent gives: the events it produces (none for a no-op), or a refusal. */
public sealed interface ChangeOutcome {

    /**
     * The change is allowed. {@code events} are the change itself first, then one CASCADE event per
     * secondary grant it withdrew; empty when the request changes nothing. {@code after} is the
     * aggregate with the events applied.
     */
    record Applied(List<ConsentEvent> events, PatientConsents after) implements ChangeOutcome {
        public Applied {
            events = List.copyOf(events);
        }

        public boolean changedNothing() {
            return events.isEmpty();
        }
    }

    record Refused(ChangeRefusal refusal) implements ChangeOutcome {
    }
}
