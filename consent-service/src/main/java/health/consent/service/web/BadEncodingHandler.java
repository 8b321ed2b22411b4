package health.consent.service.web;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.netty.handler.codec.compression.DecompressionException;
import jakarta.inject.Singleton;

/**
 * A body that is not in the {@code Content-Encoding} it names (a plain body labelled gzip): the
 * framework fails to decompress it before any route runs. That is the client's error, answered
 * 400 with a problem naming the header, not the 500 of an unexpected failure; nothing is written.
 */
@Produces(Problem.MEDIA_TYPE)
@Singleton
public class BadEncodingHandler implements ExceptionHandler<DecompressionException, HttpResponse<?>> {

    private final ApiExceptionHandler problems = new ApiExceptionHandler();

    @Override
    public HttpResponse<?> handle(HttpRequest request, DecompressionException exception) {
        return problems.handle(request, ApiException.invalid("Content-Encoding",
                "the body is not in the encoding this header names"));
    }
}
