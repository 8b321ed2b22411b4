package health.consent.service.web;

import health.consent.service.db.DatabaseUnavailableException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.http.server.exceptions.HttpStatusHandler;
import io.micronaut.http.server.exceptions.NotFoundException;
import io.micronaut.security.authentication.AuthorizationException;
import io.micronaut.security.authentication.DefaultAuthorizationExceptionHandler;

/**
 * The errors refused most often, each answered by the handler that would answer it anyway, but
 * found as an error route: the framework looks an error route up in its router, whereas it looks an
 * exception handler up among all its beans at every error, uncached (about half of what a refused
 * request cost). So a client sending bad requests (a missing or expired token, an unknown path, an
 * invalid body) costs the service much less than it did, and gets the same answer.
 *
 * <p>None of these types has a subclass with a handler of its own (a 405 and its {@code Allow}
 * header is a {@code NotAllowedException}, not a {@code NotFoundException}).
 * {@code consent.web.error-routes: false} turns the routes off (every refusal then meets its
 * handler, as the framework finds it): the same answers, at the former cost.
 */
@Controller
@Requires(property = "consent.web.error-routes", notEquals = "false")
public class ErrorRoutes {

    private final ApiExceptionHandler api;
    private final UnavailableHandler unavailable;
    private final DefaultAuthorizationExceptionHandler authorization;
    private final HttpStatusHandler status;

    public ErrorRoutes(ApiExceptionHandler api, UnavailableHandler unavailable,
                       DefaultAuthorizationExceptionHandler authorization, HttpStatusHandler status) {
        this.api = api;
        this.unavailable = unavailable;
        this.authorization = authorization;
        this.status = status;
    }

    /** This service's refusals: 400 naming the field, 404, 409, 429... */
    @Error(global = true, exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> request, ApiException e) {
        return api.handle(request, e);
    }

    /** 503 with {@code Retry-After}. */
    @Error(global = true, exception = DatabaseUnavailableException.class)
    public HttpResponse<?> unavailable(HttpRequest<?> request, DatabaseUnavailableException e) {
        return unavailable.handle(request, e);
    }

    /** 401 without a valid token, 403 for a role the endpoint does not admit. */
    @Error(global = true, exception = AuthorizationException.class)
    public HttpResponse<?> unauthorized(HttpRequest<?> request, AuthorizationException e) {
        return authorization.handle(request, e);
    }

    /** 404 for a path no route serves. */
    @Error(global = true, exception = NotFoundException.class)
    public HttpResponse<?> notFound(HttpRequest<?> request, NotFoundException e) {
        return status.handle(request, (HttpStatusException) e);
    }
}
