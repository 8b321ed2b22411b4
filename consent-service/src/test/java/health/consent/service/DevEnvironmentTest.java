package health.consent.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import health.consent.service.demo.DemoCatalogue;
import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The embedded default a newcomer runs: dev environment, demo catalogue, development tokens. */
class DevEnvironmentTest {

    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() {
        // No shared secret: the dev environment makes its own.
        service = TestService.start(Databases.h2(), Map.of("consent.auth.jwt-secret", ""), "dev");
        api = service.api();
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static String token(String body) {
        Res res = api.post("/dev/tokens", null, body);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.str("token");
    }

    @Test
    void an_empty_database_gets_the_demo_catalogue_with_notices_in_french_and_english() {
        Res res = api.get("/api/v1/applications", token("{\"subject\": \"demo-patient\", \"roles\": [\"PATIENT\"]}"));
        assertThat(res.list("")).hasSizeGreaterThanOrEqualTo(3)
                .extracting(a -> a.get("id").getStringValue())
                .containsAll(DemoCatalogue.applications().stream().map(DemoCatalogue.DemoApplication::id).toList());
        for (JsonNode app : res.list("")) {
            assertThat(app.get("purposes").get(0).get("purpose").getStringValue()).isEqualTo("CARE");
            for (JsonNode p : app.get("purposes").values()) {
                assertThat(p.get("notice").get("fr").getStringValue()).isNotBlank();
                assertThat(p.get("notice").get("en").getStringValue()).isNotBlank();
            }
        }
    }

    @Test
    void development_tokens_work_for_every_role_and_for_representatives() {
        String patient = token("{\"subject\": \"demo-patient-2\", \"roles\": [\"PATIENT\"], \"actor\": \"aidant-1\"}");
        Res granted = api.put("/api/v1/me/consents/glycemie-plus/CARE", patient,
                "{\"state\": \"GRANTED\", \"noticeVersion\": 1}");
        assertThat(granted.status()).isEqualTo(200);
        Res history = api.get("/api/v1/me/consents/history", patient);
        assertThat(history.str("items[0].decidedBy.type")).isEqualTo("REPRESENTATIVE");

        String app = token("{\"subject\": \"glycemie-plus\", \"roles\": [\"APPLICATION\"]}");
        assertThat(api.get("/api/v1/decisions/demo-patient-2/CARE", app).str("decision")).isEqualTo("PERMIT");
        String admin = token("{\"subject\": \"admin-1\", \"roles\": [\"ADMIN\"]}");
        assertThat(api.get("/api/v1/ping", admin).status()).isEqualTo(200);
    }

    @Test
    void the_page_offers_demo_people_including_a_representative() {
        Res res = api.get("/dev/demo-patients", null);
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.list("")).hasSizeGreaterThanOrEqualTo(3)
                .anyMatch(p -> !p.get("actor").isNull() && p.get("label").get("en").getStringValue().contains("caregiver"));
    }

    @Test
    void development_tokens_are_validated_like_any_input() {
        Res res = api.post("/dev/tokens", null, "{\"subject\": \"bad subject\", \"roles\": [\"GOD\"]}");
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.list("errors")).extracting(e -> e.get("field").getStringValue()).contains("roles[0]", "subject");
    }

    @Test
    void tokens_signed_with_a_secret_from_the_repository_are_refused() {
        assertThat(api.get("/api/v1/ping", Tokens.admin()).status()).isEqualTo(401);
    }

    /**
     * A dev instance given the deployment's shared secret (a node started with {@code dev} by
     * mistake, or a developer's instance given the team's secret) must not hand anyone a token that
     * other instances sharing that secret accept: its development tokens are signed with a key of
     * its own. And it says at start-up what the dev environment opens (the other instance does not).
     */
    @Test
    void a_dev_instance_warns_at_start_and_its_tokens_are_never_signed_with_the_shared_secret() {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(captured);
        try (TestService devWithSecret = TestService.start(Databases.h2(), Map.of(), "dev");
             TestService production = TestService.start(Databases.h2(), Map.of())) {
            root.detachAppender(captured);
            assertThat(captured.list).as("the start-up's warnings")
                    .filteredOn(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("POST /dev/tokens"))
                    .hasSize(1);
            Res minted = devWithSecret.api().post("/dev/tokens", null, "{\"subject\": \"admin-1\", \"roles\": [\"ADMIN\"]}");
            assertThat(minted.status()).as(minted.toString()).isEqualTo(200);
            String admin = minted.str("token");

            assertThat(devWithSecret.api().get("/api/v1/ping", admin).status()).isEqualTo(200);
            Res elsewhere = production.api().get("/api/v1/ping", admin);
            assertThat(elsewhere.status()).as("a development token on an instance sharing the secret").isEqualTo(401);
            assertThat(production.api().get("/api/v1/applications", admin).status()).isEqualTo(401);

            // Tokens signed with the shared secret still work on the dev instance.
            assertThat(devWithSecret.api().get("/api/v1/ping", Tokens.admin()).status()).isEqualTo(200);
            assertThat(production.api().get("/api/v1/ping", Tokens.admin()).status()).isEqualTo(200);
        } finally {
            root.detachAppender(captured);
        }
    }
}
