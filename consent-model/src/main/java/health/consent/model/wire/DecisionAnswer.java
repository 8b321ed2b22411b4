package health.consent.model.wire;

import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.Reason;
import java.util.Map;
import java.util.Objects;

/**
 * The answer of {@code GET /api/v1/decisions/{patientId}/{purpose}}: {@code {decision, reason, version}}.
 * {@code version} is the version of the patient's decision (0 when they never decided), which
 * orders answers for one patient.
 */
public record DecisionAnswer(Outcome decision, Reason reason, long version) {

    public DecisionAnswer {
        // A PERMIT that does not say GRANTED (or the reverse) is refused, whichever side built it.
        Decision.of(Objects.requireNonNull(reason, "reason"));
        if (Decision.of(reason).outcome() != Objects.requireNonNull(decision, "decision")) {
            throw new IllegalArgumentException("inconsistent decision " + decision + " " + reason);
        }
    }

    public static DecisionAnswer of(Decision decision, long version) {
        return new DecisionAnswer(decision.outcome(), decision.reason(), version);
    }

    public Decision toDecision() {
        return Decision.of(reason);
    }

    /** Reads the service's JSON answer. */
    public static DecisionAnswer fromJson(String json) {
        Map<String, Object> body = Json.object(json);
        return new DecisionAnswer(Wire.enumValue(Outcome.class, body.get("decision")),
                Wire.enumValue(Reason.class, body.get("reason")), Wire.number(body.get("version")));
    }
}
