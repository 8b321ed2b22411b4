package health.consent.service.db;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The service's time. */
public final class Clock {

    private Clock() {
    }

    /**
     * The time to store: to the microsecond, the precision both databases keep, so that what a
     * write answers is exactly what a later read returns.
     */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
