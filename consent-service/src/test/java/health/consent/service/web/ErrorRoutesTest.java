package health.consent.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.db.DatabaseUnavailableException;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.ErrorRouteProbe;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.NotFoundException;
import io.micronaut.security.authentication.AuthorizationException;
import io.micronaut.web.router.Router;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The refusals answered most often are found as error routes (the router) rather than as exception
 * handlers (a search of every bean at each error), and answered exactly as the handlers answer them:
 * a service with the routes turned off answers every refusal the same, through the handlers.
 */
class ErrorRoutesTest {

    private static final List<Throwable> REFUSALS = List.of(
            new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", "state: must be given", List.of()),
            new DatabaseUnavailableException(new SQLTransientConnectionException("down")),
            new AuthorizationException(null), new NotFoundException());

    /** A request, as {@code Api.send} takes it. */
    private record Ask(String method, String path, String token, String body, Map<String, String> headers) {
    }

    @Test
    void a_refusal_found_as_an_error_route_is_answered_as_its_handler_answers_it() {
        List<Ask> asks = List.of(
                // No token, a token whose signature is wrong, a role the endpoint does not admit.
                new Ask("GET", "/api/v1/ping", null, null, Map.of()),
                new Ask("GET", "/api/v1/ping", Tokens.application("app-1") + "x", null, Map.of()),
                new Ask("GET", "/api/v1/me/consents", Tokens.application("app-1"), null, Map.of()),
                new Ask("GET", "/fhir/r4/Consent", null, null, Map.of("Accept", "application/fhir+json")),
                // A path no route serves.
                new Ask("GET", "/api/v1/nowhere", Tokens.application("app-1"), null, Map.of()),
                // The service's own refusals, on the API and on FHIR.
                new Ask("PUT", "/api/v1/me/consents/app-1/CARE", Tokens.patient("p-1"), "{\"state\": \"MAYBE\"}", Map.of()),
                new Ask("GET", "/api/v1/decisions/p-1/NOPE", Tokens.application("app-1"), null, Map.of()),
                new Ask("GET", "/fhir/r4/Consent?colour=blue", Tokens.regulator(), null, Map.of()),
                // HEAD: the same status and headers, no body.
                new Ask("HEAD", "/api/v1/nowhere", Tokens.application("app-1"), null, Map.of()),
                new Ask("HEAD", "/api/v1/ping", null, null, Map.of()));
        try (TestService routed = TestService.start(Databases.h2(), Map.of("test.error-route-probe", true));
             TestService handled = TestService.start(Databases.h2(), Map.of("consent.web.error-routes", false,
                     "test.error-route-probe", true))) {
            ErrorRouteProbe routedBy = routed.context().getBean(ErrorRouteProbe.class);
            ErrorRouteProbe handledBy = handled.context().getBean(ErrorRouteProbe.class);
            HttpRequest<?> request = HttpRequest.GET("/api/v1/ping");
            for (Throwable refusal : REFUSALS) {
                String kind = refusal.getClass().getSimpleName();
                assertThat(routed.context().getBean(Router.class).findErrorRoute(refusal, request)).as(kind).isPresent();
                assertThat(handled.context().getBean(Router.class).findErrorRoute(refusal, request)).as(kind).isEmpty();
            }
            for (Ask ask : asks) {
                Res a = routed.api().send(ask.method(), ask.path(), ask.token(), ask.body(), ask.headers());
                String what = ask.method() + " " + ask.path() + ": " + a;
                assertThat(routedBy.lastAnsweredBy()).as(what).isEqualTo(ErrorRoutes.class);
                Res b = handled.api().send(ask.method(), ask.path(), ask.token(), ask.body(), ask.headers());
                assertThat(handledBy.lastAnsweredBy()).as(what).isNotNull().isNotEqualTo(ErrorRoutes.class);
                assertThat(a.status()).as(what).isBetween(400, 499).isEqualTo(b.status());
                for (String header : List.of("Content-Type", "Content-Length", "WWW-Authenticate", "Retry-After",
                        "Cache-Control")) {
                    assertThat(a.header(header)).as(what + ", " + header).isEqualTo(b.header(header));
                }
                assertThat(a.body()).as(what).isEqualTo(b.body());
                assertThat(a.body().isEmpty()).as(what).isEqualTo("HEAD".equals(ask.method()));
            }
        }
    }
}
