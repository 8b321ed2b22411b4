package health.consent.service.events;

/** Access records were stored (an application's batch, or a regulator's read): they belong in the audit log. */
public record AccessRecorded(int stored, int duplicates) implements DomainEvent {

    /** Records stored, none of them a duplicate. */
    public AccessRecorded(int stored) {
        this(stored, 0);
    }
}
