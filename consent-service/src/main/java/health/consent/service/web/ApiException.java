package health.consent.service.web;

import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import io.micronaut.http.HttpStatus;
import java.util.List;

/**
 * A request the service will not carry out, with the problem to answer. Thrown by the web layer
 * only (request parsing, and refusals that services returned); {@link ApiExceptionHandler} turns it
 * into the response.
 */
public class ApiException extends RuntimeException {

    private static final String TYPE_PREFIX = "urn:consent:problem:";

    private final HttpStatus status;
    private final String type;
    private final List<Problem.FieldProblem> errors;
    private long retryAfterSeconds;

    public ApiException(HttpStatus status, String type, String detail, List<Problem.FieldProblem> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.errors = List.copyOf(errors);
    }

    public static ApiException invalid(List<Problem.FieldProblem> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid: " + errors.stream().map(Problem.FieldProblem::field)
                        .distinct().reduce((a, b) -> a + ", " + b).orElse("");
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", detail, errors);
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new Problem.FieldProblem(field, message)));
    }


    public static ApiException conflict(String type, String detail) {
        return new ApiException(HttpStatus.CONFLICT, type, detail, List.of());
    }

    /** Too many requests from one caller: try again after {@code seconds}. */
    public static ApiException tooManyRequests(String type, String detail, long seconds) {
        ApiException e = new ApiException(HttpStatus.TOO_MANY_REQUESTS, type, detail, List.of());
        e.retryAfterSeconds = Math.max(1, seconds);
        return e;
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, "forbidden", detail, List.of());
    }


    /** The refusal a service returned, as the status and problem to answer. */
    public static ApiException of(Refusal refusal) {
        return switch (refusal.kind()) {
            case FORBIDDEN -> new ApiException(HttpStatus.FORBIDDEN, refusal.type(), refusal.detail(), List.of());
            case NOT_FOUND -> new ApiException(HttpStatus.NOT_FOUND, refusal.type(), refusal.detail(), List.of());
            case CONFLICT -> conflict(refusal.type(), refusal.detail());
            case STALE -> new ApiException(HttpStatus.PRECONDITION_FAILED, refusal.type(), refusal.detail(), List.of());
            case BUSY -> tooManyRequests(refusal.type(), refusal.detail(), refusal.retryAfterSeconds());
            case INVALID -> invalid(refusal.fields().stream()
                    .map(f -> new Problem.FieldProblem(f.name(), f.message())).toList());
        };
    }

    /** The value of a service's answer, or its refusal thrown as the problem to answer. */
    public static <T> T unwrap(Result<T> result) {
        if (result instanceof Result.Refused<T> refused) {
            throw of(refused.refusal());
        }
        return ((Result.Ok<T>) result).value();
    }

    /** The seconds to wait before trying again, or 0 when there is no point waiting. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public HttpStatus status() {
        return status;
    }

    public Problem problem() {
        return new Problem(TYPE_PREFIX + type, status.getReason(), status.getCode(), getMessage(), errors);
    }
}
