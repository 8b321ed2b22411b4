package health.consent.service.web;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Answers an {@link ApiException} with its problem document. */
@Produces(Problem.MEDIA_TYPE)
@Singleton
public class ApiExceptionHandler implements ExceptionHandler<ApiException, HttpResponse<?>> {

    @Override
    public HttpResponse<?> handle(HttpRequest request, ApiException exception) {
        var response = OperationOutcomes.isFhir(request.getPath())
                ? HttpResponse.<Object>status(exception.status()).contentType(OperationOutcomes.FHIR_JSON)
                        .body(OperationOutcomes.of(exception.problem()))
                : HttpResponse.<Object>status(exception.status()).contentType(Problem.MEDIA_TYPE)
                        .body(exception.problem());
        if (exception.retryAfterSeconds() > 0) {
            response.header("Retry-After", Long.toString(exception.retryAfterSeconds()));
        }
        return response;
    }
}
