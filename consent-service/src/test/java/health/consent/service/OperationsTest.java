package health.consent.service;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
}
