package health.consent.model;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to "may this application process this patient's data for this purpose?".
 *
 * <p>Only {@link Reason#GRANTED} permits; every other reason denies. Instances are shared
 * constants, so a decision costs no allocation.
 */
public record Decision(Outcome outcome, Reason reason) {

    private static final Decision PERMIT = new Decision(Outcome.PERMIT, Reason.GRANTED);
    private static final Map<Reason, Decision> DENIALS = new EnumMap<>(Reason.class);

    static {
        for (Reason r : Reason.values()) {
            if (r != Reason.GRANTED) {
                DENIALS.put(r, new Decision(Outcome.DENY, r));
            }
        }
    }

    public Decision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        if ((outcome == Outcome.PERMIT) != (reason == Reason.GRANTED)) {
            throw new IllegalArgumentException("only the reason GRANTED permits, and it always does");
        }
    }

    public static Decision permit() {
        return PERMIT;
    }

    public static Decision deny(Reason reason) {
        Decision d = DENIALS.get(Objects.requireNonNull(reason, "reason"));
        if (d == null) {
            throw new IllegalArgumentException("GRANTED is not a reason to deny");
        }
        return d;
    }

    /** The decision for a reason: PERMIT for GRANTED, DENY for every other one. */
    public static Decision of(Reason reason) {
        return reason == Reason.GRANTED ? PERMIT : deny(reason);
    }

    public boolean permitted() {
        return outcome == Outcome.PERMIT;
    }
}
