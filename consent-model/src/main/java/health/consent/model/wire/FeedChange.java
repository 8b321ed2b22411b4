package health.consent.model.wire;

import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import java.util.Map;

/**
 * One change of the feed ({@code GET /api/v1/changes}). {@code patientId} null means every patient
 * of the application, and {@code purpose} null every purpose: answers cached in that scope must be
 * asked again. {@code decision} and {@code reason} are null when the new decision depends on each
 * patient. {@code version} is the version of the patient's decision, to order answers for one patient.
 * {@code at} (the change's commit time, absent from the v1 wire format) is not part of it.
 * {@code purgeId}, when set, names the erasure the application now owes (a secondary grant withdrawn,
 * refused after it, or expired): it confirms it with {@code POST /api/v1/purges/{purgeId}/confirmation}.
 */
public record FeedChange(long seq, String patientId, Purpose purpose, Outcome decision, Reason reason, long version,
                         String purgeId) {

    public FeedChange(long seq, String patientId, Purpose purpose, Outcome decision, Reason reason, long version) {
        this(seq, patientId, purpose, decision, reason, version, null);
    }

    /** A change of one patient's decision for one purpose. */
    public static FeedChange ofPatient(long seq, String patientId, Purpose purpose, Decision decision, long version) {
        return new FeedChange(seq, patientId, purpose, decision.outcome(), decision.reason(), version);
    }

    /** The decision this change carries, or null when it carries none. */
    public Decision toDecision() {
        return reason == null ? null : Decision.of(reason);
    }

    /** True when the change concerns every patient of the application (a catalogue change). */
    public boolean isBulk() {
        return patientId == null;
    }

    static FeedChange fromMap(Map<?, ?> c) {
        Outcome decision = Wire.optionalEnum(Outcome.class, c.get("decision"));
        Reason reason = Wire.optionalEnum(Reason.class, c.get("reason"));
        if (reason != null && Decision.of(reason).outcome() != decision) {
            throw new IllegalArgumentException("inconsistent decision " + decision + " " + reason);
        }
        return new FeedChange(Wire.number(c.get("seq")), (String) c.get("patientId"),
                Wire.optionalEnum(Purpose.class, c.get("purpose")), decision, reason, Wire.number(c.get("version")),
                c.get("purgeId") instanceof String id ? id : null);
    }
}
