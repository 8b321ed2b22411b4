package health.consent.service.concern;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** What a patient's concern is about, in the plain words of the page. */
public enum ConcernCategory {
    /** "My data was used for something I refused." */
    USED_DESPITE_REFUSAL,
    /** "I could not refuse without losing the service." */
    REFUSAL_COST_ME_THE_SERVICE,
    /** "I did not understand what I agreed to." */
    DID_NOT_UNDERSTAND,
    OTHER;

    public static final String WIRE_NAMES = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));

    public static Optional<ConcernCategory> fromWire(String name) {
        return Arrays.stream(values()).filter(c -> c.name().equals(name)).findFirst();
    }
}
