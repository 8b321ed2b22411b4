package health.consent.service.concern;

import java.util.Arrays;
import java.util.Optional;

/** Where the regulators are with a concern: received, being reviewed, answered (final). */
public enum ConcernStatus {
    RECEIVED,
    UNDER_REVIEW,
    ANSWERED;

    public static Optional<ConcernStatus> fromWire(String name) {
        return Arrays.stream(values()).filter(c -> c.name().equals(name)).findFirst();
    }
}
