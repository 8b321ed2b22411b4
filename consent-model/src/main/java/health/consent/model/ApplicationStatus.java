package health.consent.model;

/** Whether a catalogue application may currently process data at all. */
public enum ApplicationStatus {
    ACTIVE,
    SUSPENDED
}
