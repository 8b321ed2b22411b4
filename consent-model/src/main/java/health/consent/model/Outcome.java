package health.consent.model;

/** Whether processing may go ahead. */
public enum Outcome {
    PERMIT,
    DENY
}
