package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import io.micronaut.security.annotation.Secured;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every API route the service has, read from its router (so a new endpoint cannot escape), called
 * by every kind of caller: the exact outcome its {@code @Secured} promises, and never another
 * patient's data in the body.
 */
class AuthorizationMatrixTest {

    private static final String FOREIGN = "p-foreign-" + UUID.randomUUID().toString().substring(0, 8);
    private static TestService service;
    private static Api api;
    private static String dataApp;

    @BeforeAll
    static void start() {
        service = TestService.start(Databases.h2());
        api = service.api();
        dataApp = registerApplication(api, "STATISTICS");
        registerApplication(api);
        // Someone else's data, that no caller but a regulator (or the application it concerns) may see.
        decide(api, Tokens.patient(FOREIGN), dataApp, "CARE", "GRANTED");
        api.post("/api/v1/access-records", Tokens.application(dataApp), "[{\"id\": \"" + UUID.randomUUID()
                + "\", \"patientId\": \"" + FOREIGN + "\", \"purpose\": \"CARE\", \"actor\": \"dr-x\", "
                + "\"dataCategory\": \"vitals\", \"outcome\": \"PERMIT\", \"at\": \"" + Instant.now() + "\"}]");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private record Caller(String name, String role, String token, boolean mayReadOthers) {
    }

    private static List<Caller> callers() {
        return List.of(
                new Caller("no token", null, null, false),
                new Caller("patient", "PATIENT", Tokens.patient("p-matrix"), false),
                new Caller("representative", "PATIENT", Tokens.representative("p-matrix", "aidant-1"), false),
                new Caller("another application", "APPLICATION", Tokens.application("other-app-of-matrix"), false),
                new Caller("regulator", "REGULATOR", Tokens.regulator(), true),
                new Caller("admin", "ADMIN", Tokens.admin(), false));
    }

    private static String path(UriRouteInfo<?, ?> route) {
        return route.getUriMatchTemplate().toString().replaceAll("\\{\\?[^}]*}", "")
                .replace("{patientId}", "p-matrix").replace("{applicationId}", dataApp).replace("{id}", dataApp)
                .replace("{purpose}", "CARE").replace("{leafIndex}", "0").replace("{seq}", "1");
    }

    @Test
    void every_route_answers_each_caller_exactly_as_its_security_rule_says_and_leaks_nothing() {
        List<UriRouteInfo<?, ?>> routes = service.context().getBean(Router.class).uriRoutes()
                .filter(r -> r.getUriMatchTemplate().toString().startsWith("/api/")
                        || r.getUriMatchTemplate().toString().startsWith("/fhir/"))
                .collect(Collectors.toList());
        assertThat(routes.stream().map(this::describe)).as("the router lists the API")
                .contains("GET /api/v1/me/consents", "PUT /api/v1/me/consents/{applicationId}/{purpose}",
                        "GET /api/v1/decisions/{patientId}/{purpose}", "GET /api/v1/audit/access-records");

        Map<String, String> failures = new LinkedHashMap<>();
        int cases = 0;
        for (UriRouteInfo<?, ?> route : routes) {
            Set<String> allowed = Set.of(route.getAnnotationMetadata().stringValues(Secured.class));
            assertThat(allowed).as("%s states who may call it", describe(route)).isNotEmpty();
            boolean anonymous = allowed.contains("isAnonymous()");
            String method = route.getHttpMethodName();
            // A body of the type the route reads (JSON, or patient ids as plain text), so that the
            // security rule answers, not a 415.
            boolean text = route.getConsumes().stream().anyMatch(m -> m.getName().equals("text/plain"));
            String body = !method.equals("POST") && !method.equals("PUT") ? null : text ? "p-matrix" : "{}";
            Map<String, String> headers = text ? Map.of("Content-Type", "text/plain") : Map.of();
            for (Caller caller : callers()) {
                cases++;
                Res res = api.send(method, path(route), caller.token(), body, headers);
                String where = describe(route) + " as " + caller.name();
                boolean permitted = anonymous || (caller.role() != null && allowed.contains(caller.role()));
                if (caller.token() == null && !anonymous && res.status() != 401) {
                    failures.put(where, "expected 401, got " + res.status());
                } else if (caller.token() != null && !permitted && res.status() != 403) {
                    failures.put(where, "expected 403, got " + res.status());
                } else if (permitted && (res.status() == 401 || res.status() == 403)) {
                    failures.put(where, "expected to be let in, got " + res.status());
                }
                if (!caller.mayReadOthers() && res.body() != null && res.body().contains(FOREIGN)) {
                    failures.put(where, "the body shows another patient's data");
                }
                // Errors are problem documents; under /fhir/, OperationOutcomes with the same statuses.
                boolean problem = res.contentType() != null && (path(route).startsWith("/fhir/")
                        ? res.contentType().startsWith("application/fhir+json") && res.body().contains("\"OperationOutcome\"")
                        : res.contentType().startsWith("application/problem+json"));
                // A HEAD answer has no body by definition.
                if (res.status() >= 400 && !method.equals("HEAD") && !problem) {
                    failures.put(where, "an error that is not a problem document: " + res.status() + " " + res.contentType());
                }
            }
        }
        assertThat(cases).isGreaterThanOrEqualTo(routes.size() * callers().size());
        assertThat(failures).isEmpty();
    }

    private String describe(UriRouteInfo<?, ?> route) {
        return route.getHttpMethodName() + " " + route.getUriMatchTemplate().toString().replaceAll("\\{\\?[^}]*}", "");
    }

    @Test
    void a_regulator_can_read_the_foreign_patient_only_through_the_audit_trail() {
        List<String> seen = new ArrayList<>();
        for (String path : List.of("/api/v1/audit/access-records", "/api/v1/audit/consent-events")) {
            if (api.get(path + "?reason=Audit%20test%20of%20the%20trail", Tokens.regulator()).body().contains(FOREIGN)) {
                seen.add(path);
            }
        }
        assertThat(seen).hasSize(2);
    }
}
