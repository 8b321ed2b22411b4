package health.consent.service.access;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * How long access records are kept: {@code ACCESS_RECORD_RETENTION}, an ISO-8601 period of years,
 * months or days ({@code P5Y}, {@code P18M}, {@code P400D}); five years when unset. At least a
 * month, so that a month's records are whole when erased; a malformed or shorter value refuses
 * to start, naming the setting (checked as the service starts).
 */
@Context
public class Retention {

    public static final String DEFAULT = "P5Y";

    private final Period period;

    public Retention(@Value("${consent.access-records.retention:" + DEFAULT + "}") String setting) {
        this.period = parse(setting);
    }

    public static Period parse(String setting) {
        Period p;
        try {
            p = Period.parse(setting == null || setting.isBlank() ? DEFAULT : setting.trim());
        } catch (DateTimeParseException e) {
            throw new ConfigurationException("ACCESS_RECORD_RETENTION must be an ISO-8601 period such as P5Y, P18M "
                    + "or P400D, not '" + setting + "'");
        }
        if (p.isNegative() || p.toTotalMonths() * 31 + p.getDays() < 31) {
            throw new ConfigurationException("ACCESS_RECORD_RETENTION must be at least a month (P1M), not '"
                    + setting + "'");
        }
        return p;
    }

    public Period period() {
        return period;
    }

    /** Records dated before this instant are past their retention. */
    public Instant cutoff(Instant now) {
        return now.atOffset(ZoneOffset.UTC).minus(period).toInstant();
    }
}
