package health.consent.service.outcome;

import java.util.List;
import java.util.Objects;

/**
 * Why the service will not do what was asked, in words fit to show: an ordinary answer, returned
 * by services as a value. Only the web layer turns it into a status and a problem document.
 *
 * @param type   a short stable name of the problem ({@code notice-not-current}), for clients to switch on
 * @param fields the request fields at fault, for {@link Kind#INVALID}
 */
public record Refusal(Kind kind, String type, String detail, List<Field> fields, long retryAfterSeconds) {

    public enum Kind {
        /** The caller may not do this, whatever the request says. */
        FORBIDDEN,
        /** The request names something that does not exist. */
        NOT_FOUND,
        /** The request contradicts the current state or a rule. */
        CONFLICT,
        /** The request was made on a version that is no longer current. */
        STALE,
        /** The caller already asks too much at once: it may try again after {@code retryAfterSeconds}. */
        BUSY,
        /** A value of the request is wrong. */
        INVALID
    }

    /** One field at fault and what is wrong with it. */
    public record Field(String name, String message) {
    }

    public Refusal {
        Objects.requireNonNull(kind, "kind");
        fields = List.copyOf(fields);
    }

    public Refusal(Kind kind, String type, String detail, List<Field> fields) {
        this(kind, type, detail, fields, 0);
    }

    public static Refusal busy(String type, String detail, long retryAfterSeconds) {
        return new Refusal(Kind.BUSY, type, detail, List.of(), retryAfterSeconds);
    }

    public static Refusal forbidden(String type, String detail) {
        return new Refusal(Kind.FORBIDDEN, type, detail, List.of());
    }

    public static Refusal notFound(String detail) {
        return new Refusal(Kind.NOT_FOUND, "not-found", detail, List.of());
    }

    public static Refusal conflict(String type, String detail) {
        return new Refusal(Kind.CONFLICT, type, detail, List.of());
    }

    public static Refusal stale(String detail) {
        return new Refusal(Kind.STALE, "stale-version", detail, List.of());
    }

    public static Refusal invalid(List<Field> fields) {
        return new Refusal(Kind.INVALID, "invalid-request", null, fields);
    }
}
