package health.consent.service.web;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns every error the framework answers (401, 403, 404, 405, 413, 415, conversion errors, 500)
 * into a problem document. Server errors never carry the exception's message: it may hold
 * internal details, and the log has it.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public class ProblemResponseProcessor implements ErrorResponseProcessor<Problem> {

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        @SuppressWarnings("unchecked")
        MutableHttpResponse<Problem> typed = (MutableHttpResponse<Problem>) response;
        if (context.getRequest().getMethod() == HttpMethod.HEAD) {
            return typed;
        }
        HttpStatus status = response.status();
        Problem problem;
        if (context.getRootCause().orElse(null) instanceof ApiException api) {
            problem = api.problem();
        } else {
            problem = status.getCode() >= 500 ? serverError(status) : clientProblem(status, context);
        }
        if (OperationOutcomes.isFhir(context.getRequest().getPath())) {
            @SuppressWarnings("unchecked")
            MutableHttpResponse<Problem> outcome = (MutableHttpResponse<Problem>) (MutableHttpResponse<?>)
                    response.body(OperationOutcomes.of(problem)).contentType(OperationOutcomes.FHIR_JSON);
            return outcome;
        }
        return typed.body(problem).contentType(Problem.MEDIA_TYPE);
    }

    private static Problem clientProblem(HttpStatus status, ErrorContext context) {
        List<Problem.FieldProblem> errors = context.getErrors().stream()
                .filter(e -> e.getPath().isPresent())
                .map(e -> new Problem.FieldProblem(e.getPath().get(), e.getMessage()))
                .toList();
        String detail = context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; "));
        if (detail.isBlank()) {
            detail = defaultDetail(status);
        }
        return new Problem("about:blank", status.getReason(), status.getCode(), detail, errors);
    }

    private static String defaultDetail(HttpStatus status) {
        return switch (status) {
            case UNAUTHORIZED -> "A valid bearer token is required";
            case FORBIDDEN -> "Your role does not allow this request";
            case NOT_FOUND -> "No such resource";
            case METHOD_NOT_ALLOWED -> "This method is not allowed on this resource";
            default -> status.getReason();
        };
    }

    /** A server error's problem: never the exception's message, which may hold internal details. */
    public static Problem serverError(HttpStatus status) {
        return new Problem("about:blank", status.getReason(), status.getCode(), serverErrorDetail(status), List.of());
    }

    private static String serverErrorDetail(HttpStatus status) {
        return status == HttpStatus.SERVICE_UNAVAILABLE
                ? "The service is temporarily unavailable; retry later"
                : "An unexpected error occurred; it has been logged";
    }
}
