package health.consent.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import io.micronaut.web.router.Router;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OperationsTest {

    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() {
        service = TestService.start(Databases.h2());
        api = service.api();
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void health_is_readable_without_a_token_and_reveals_no_details() {
        Res res = api.get("/health", null);
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.str("status")).isEqualTo("UP");
        assertThat(res.body()).doesNotContain("jdbc");
    }

    @Test
    void health_details_are_for_operators_only() {
        Res operator = api.get("/health", Tokens.admin());
        assertThat(operator.status()).isEqualTo(200);
        assertThat(operator.body()).as("an operator reads the database's state").contains("\"database\"")
                .contains("\"primary\":\"UP\"");
        for (String path : List.of("/health", "/health/liveness", "/health/readiness")) {
            for (String token : List.of(Tokens.patient("p-health"), Tokens.application("app-health"), Tokens.regulator())) {
                Res res = api.get(path, token);
                assertThat(res.status()).as(path).isEqualTo(200);
                assertThat(res.str("status")).as(path).isEqualTo("UP");
                assertThat(res.body()).as("the details of " + path + ", to a token that is not an operator's")
                        .isEqualTo(api.get(path, null).body()).doesNotContain("database").doesNotContain("primary");
            }
        }
        assertThat(api.get("/health/readiness", Tokens.admin()).body()).as("readiness, to an operator")
                .contains("\"database\"");
    }

    @Test
    void prometheus_metrics_are_exposed_including_http_timings() {
        api.get("/api/v1/ping", Tokens.admin());
        Res res = api.get("/prometheus", Tokens.METRICS);
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.body()).contains("jvm_memory_used_bytes").contains("http_server_requests_seconds");
    }

    @Test
    void the_pool_that_runs_blocking_work_is_bounded() {
        assertThat(api.get("/prometheus", Tokens.METRICS).body())
                .contains("executor_pool_max_threads{name=\"blocking\"} 64.0");
    }

    @Test
    void prometheus_metrics_need_the_scrapers_token() {
        assertThat(api.get("/prometheus", null).status()).isEqualTo(401);
        assertThat(api.get("/prometheus", "not-the-token").status()).isEqualTo(401);
        assertThat(api.get("/prometheus", Tokens.admin()).status()).as("a user token is not the scraper's").isEqualTo(401);
    }

    @Test
    void answers_carry_security_headers_and_patient_data_is_never_cached() {
        Res page = api.get("/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'").doesNotContain("unsafe-inline")
                .contains("frame-ancestors 'none'");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        Res data = api.get("/api/v1/ping", Tokens.patient("p-1"));
        assertThat(data.header("Cache-Control")).isEqualTo("no-store");
        assertThat(data.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void the_openapi_document_is_generated_from_the_code_and_readable_without_a_token() {
        Res res = api.get("/swagger/consent-service-1.yml", null);
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.body()).contains("openapi:").contains("/api/v1/me/consents/{applicationId}/{purpose}")
                .contains("/api/v1/decisions/filter").contains("/api/v1/applications/{id}/purposes/{purpose}")
                .doesNotContain("/dev/tokens");
    }

    /*
     * The framework's management endpoints are not served, for anyone: they would show the service's
     * beans, routes, threads and settings, and let a caller refresh its state, to any caller with a
     * valid token (the framework asks only that a caller be authenticated: a patient's token reached
     * /beans and POST /refresh, answered 500), nor are the security module's introspection, login,
     * logout and keys. Every route outside the API is one the service means to serve.
     */
    @Test
    void no_caller_reads_or_changes_the_service_through_the_frameworks_management_endpoints() {
        Map<String, String> served = new LinkedHashMap<>();
        List<String> paths = List.of("/beans", "/info", "/loggers", "/loggers/ROOT", "/metrics", "/refresh", "/routes",
                "/threaddump", "/env", "/stop", "/token_info", "/keys", "/logout");
        for (String token : List.of(Tokens.patient("p-management"), Tokens.admin(), Tokens.regulator())) {
            for (String path : paths) {
                int get = api.get(path, token).status();
                if (get != 404) {
                    served.put("GET " + path, Integer.toString(get));
                }
            }
            for (String[] post : List.of(new String[] {"/refresh", "{}"},
                    new String[] {"/loggers/ROOT", "{\"configuredLevel\": \"TRACE\"}"},
                    new String[] {"/token_info", "{\"token\": \"" + Tokens.admin() + "\"}"},
                    new String[] {"/login", "{\"username\": \"a\", \"password\": \"b\"}"},
                    new String[] {"/oauth/access_token", "{\"grant_type\": \"refresh_token\", \"refresh_token\": \"x\"}"})) {
                int status = api.post(post[0], token, post[1]).status();
                if (status != 404) {
                    served.put("POST " + post[0], Integer.toString(status));
                }
            }
        }

        assertThat(served).as("management endpoints served").isEmpty();
        assertThat(((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).getLevel()).isEqualTo(Level.INFO);
        assertThat(api.get("/health", null).status()).isEqualTo(200);
        assertThat(api.get("/prometheus", Tokens.METRICS).status()).isEqualTo(200);
    }

    @Test
    void every_route_outside_the_api_is_one_the_service_means_to_serve() {
        Set<String> outside = service.context().getBean(Router.class).uriRoutes()
                .map(r -> r.getHttpMethodName() + " " + r.getUriMatchTemplate().toString())
                // HEAD routes mirror the GET ones.
                .filter(r -> !r.startsWith("HEAD ") && !r.contains(" /api/") && !r.contains(" /fhir/"))
                .collect(Collectors.toCollection(TreeSet::new));

        // Health and metrics; the public log's read paths (C2SP tlog-tiles and its witnesses); the regulators' page.
        assertThat(outside).containsExactlyInAnyOrder("GET /health", "GET /health/{selector}", "GET /prometheus",
                "GET /log/checkpoint", "GET /log/key", "GET /log/tile/{level}/{+index}", "GET /log/witnesses",
                "GET /regulator");
    }

    @Test
    void the_static_files_served_are_the_pages_and_the_openapi_document_only() throws Exception {
        // Every file on the class path (this module's and every dependency's) under the folders the
        // static-resource mappings serve: a file a dependency brings under public/ would be served at /.
        assertThat(filesUnder("public")).containsExactlyInAnyOrder("app.css", "app.js", "common.js", "favicon.svg",
                "index.html", "log-check.js", "regulator/index.html", "regulator/regulator.js");
        assertThat(filesUnder("META-INF/swagger")).containsExactly("consent-service-1.yml");
        assertThat(api.get("/app.js", null).status()).isEqualTo(200);
        assertThat(api.get("/swagger/consent-service-1.yml", null).status()).isEqualTo(200);

        // Nothing outside those folders, however the path is spelled.
        for (String path : List.of("/application.yml", "/../application.yml", "/%2e%2e/application.yml",
                "/..%2fapplication.yml", "/regulator/../../application.yml", "/swagger/../application.yml",
                "/swagger/%2e%2e/%2e%2e/application.yml", "/db/migration/V1__consent_store.sql",
                "/health/consent/service/Application.class", "/META-INF/MANIFEST.MF", "/logback.xml")) {
            Res res = api.get(path, null);
            assertThat(res.status()).as(path).isIn(400, 404);
            assertThat(res.body()).as(path).doesNotContain("jwt-secret").doesNotContainIgnoringCase("create table");
        }
    }

    private static Set<String> filesUnder(String folder) throws Exception {
        // Every jar on the class path (each has a manifest; a jar without the folder's own directory
        // entry would not be found by asking for the folder) and every folder of classes.
        Set<java.nio.file.Path> jars = new TreeSet<>();
        Set<java.nio.file.Path> folders = new TreeSet<>();
        ClassLoader loader = OperationsTest.class.getClassLoader();
        for (var manifests = loader.getResources("META-INF/MANIFEST.MF"); manifests.hasMoreElements(); ) {
            String url = manifests.nextElement().toString();
            if (url.startsWith("jar:")) {
                jars.add(java.nio.file.Path.of(java.net.URI.create(url.substring("jar:".length(), url.indexOf("!/")))));
            }
        }
        for (var roots = loader.getResources(folder); roots.hasMoreElements(); ) {
            java.net.URL root = roots.nextElement();
            if ("file".equals(root.getProtocol())) {
                folders.add(java.nio.file.Path.of(root.toURI()));
            }
        }
        Set<String> files = new TreeSet<>();
        for (java.nio.file.Path jar : jars) {
            try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
                file.stream().filter(e -> !e.isDirectory() && e.getName().startsWith(folder + "/"))
                        .forEach(e -> files.add(e.getName().substring(folder.length() + 1)));
            }
        }
        for (java.nio.file.Path base : folders) {
            try (var walk = java.nio.file.Files.walk(base)) {
                walk.filter(java.nio.file.Files::isRegularFile)
                        .forEach(f -> files.add(base.relativize(f).toString().replace('\\', '/')));
            }
        }
        assertThat(jars).as("the class path's jars").hasSizeGreaterThan(50);
        return files;
    }
}
