package health.consent.model;

import java.util.Optional;

/**
 * What a patient decided for one purpose of one application.
 *
 * <p>{@link #NOT_SET} is the state before any decision; a patient cannot choose it.
 */
public enum ConsentState {
    GRANTED,
    REFUSED,
    WITHDRAWN,
    NOT_SET;

    /** True for the states a patient may choose. */
    public boolean isDecision() {
        return this != NOT_SET;
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
