package health.consent.sdk;

import health.consent.model.Decision;
import health.consent.model.Purpose;

/** Processing is not permitted; {@link #decision()} says why. */
public class ConsentDeniedException extends RuntimeException {

    private final transient Decision decision;
    private final String patientId;
    private final Purpose purpose;

    public ConsentDeniedException(String patientId, Purpose purpose, Decision decision) {
        super("consent denied for " + purpose + ": " + decision.reason());
        this.patientId = patientId;
        this.purpose = purpose;
        this.decision = decision;
    }

    public Decision decision() {
        return decision;
    }

    public String patientId() {
        return patientId;
    }

    public Purpose purpose() {
        return purpose;
    }
}
