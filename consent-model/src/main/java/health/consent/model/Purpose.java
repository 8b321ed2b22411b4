package health.consent.model;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Why an application processes a patient's data.
 *
 * <p>{@link #CARE} is the primary purpose: the reason the patient connected the application.
 * Every other purpose is secondary: opt-in, refusable and withdrawable without any effect on care.
 */
public enum Purpose {
    CARE(true),
    STATISTICS(false),
    SERVICE_IMPROVEMENT(false),
    COMMERCIALISATION(false);

    /** The wire names, for error messages: "CARE, STATISTICS, ...". */
    public static final String WIRE_NAMES = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));

    private final boolean primary;

    Purpose(boolean primary) {
        this.primary = primary;
    }

    public boolean isPrimary() {
        return primary;
    }

    public boolean isSecondary() {
        return !primary;
    }

    /** The purpose with this exact wire name, or empty: wire names are case-sensitive. */
    public static Optional<Purpose> fromWire(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (Purpose p : values()) {
            if (p.name().equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
