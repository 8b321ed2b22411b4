package health.consent.model;

import java.util.Optional;

/**
 * What a patient decided for one purpose of one application.
 *
 * <p>{@link #NOT_SET} is the state before any decision, {@link #EXPIRED} the state a time-boxed grant
 * reaches at its end; a patient chooses neither.
 */
public enum ConsentState {
    GRANTED,
    REFUSED,
    WITHDRAWN,
    /** A time-boxed grant that reached its end: set by the service, never chosen. */
    EXPIRED,
    NOT_SET;

    /** True for the states a patient may choose. */
    public boolean isDecision() {
        return this != NOT_SET && this != EXPIRED;
    }

    /** The state with this exact wire name, or empty. */
    public static Optional<ConsentState> fromWire(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (ConsentState s : values()) {
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
