package health.consent.service.web;

import health.consent.service.db.DatabaseUnavailableException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database is down, or gave a transaction up for a conflict with another (a deadlock): 503
 * with a problem document and {@code Retry-After}, at once (the pool
 * waits two seconds at most for a connection), rather than a hang or a 500 with a stack trace. A
 * connection lost at the commit leaves its outcome unknown, so the answer does not promise that
 * nothing was written; a decision set twice is set once, and an access record sent again with its
 * id and time is recorded once (a concern sent again would be a second concern).
 */
@Produces(Problem.MEDIA_TYPE)
@Singleton
public class UnavailableHandler implements ExceptionHandler<DatabaseUnavailableException, HttpResponse<Problem>> {

    private static final Logger LOG = LoggerFactory.getLogger(UnavailableHandler.class);
    /** The seconds after which to try again. */
    public static final String RETRY_AFTER_SECONDS = "5";

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, DatabaseUnavailableException exception) {
        return HttpResponse.<Problem>status(HttpStatus.SERVICE_UNAVAILABLE)
                .contentType(Problem.MEDIA_TYPE)
                .header("Retry-After", RETRY_AFTER_SECONDS)
                .body(problem(exception));
    }

    /** The problem answered (with 503 and {@code Retry-After}) for the database's failure, logged here. */
    public static Problem problem(DatabaseUnavailableException exception) {
        LOG.warn("Database unavailable: {}", exception.getCause().toString());
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "database-unavailable",
                (exception.isConflict()
                        ? "The database gave this request up for a conflict with another one. "
                        : "The service cannot reach its database; the request may not have been applied. ")
                        + "Retry in a few seconds: a decision or a batch of access records sent again "
                        + "is recorded once.", List.of())
                .problem();
    }
}
