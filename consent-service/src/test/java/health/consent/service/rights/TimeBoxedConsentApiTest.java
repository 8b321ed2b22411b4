package health.consent.service.rights;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.purpose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.service.support.Api.Res;
import health.consent.service.support.Fixtures;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.ServiceSettings;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Time-boxed consent: a grant until a time, expired by the service with no call from anyone. */
@ServiceSettings({"consent.expiry.interval=100ms"})
class TimeBoxedConsentApiTest extends OnBothDatabases {


    private static String grantUntil(String app, String patient, String purpose, Instant end) {
        return "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"expiresAt\": \"" + end + "\"}";
    }

    private static Res decision(String app, String patient, String purpose) {
        return api.get("/api/v1/decisions/" + patient + "/" + purpose, Tokens.application(app));
    }

    @Test
    void a_grant_until_a_time_permits_until_then_expires_by_itself_with_one_expiry_event_in_history_and_feed() {
        String app = Fixtures.registerApplication(api, "STATISTICS");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        long feedHead = api.get("/api/v1/changes", Tokens.application(app)).num("next");
        Instant end = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
        Res granted = api.put("/api/v1/me/consents/" + app + "/STATISTICS", Tokens.patient(patient),
                grantUntil(app, patient, "STATISTICS", end));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(200);
        assertThat(Instant.parse(granted.at("consent.expiresAt").getStringValue())).isEqualTo(end);
        assertThat(decision(app, patient, "STATISTICS").str("decision")).isEqualTo("PERMIT");

        await().atMost(Duration.ofSeconds(15)).until(() -> "EXPIRED".equals(decision(app, patient, "STATISTICS").str("reason")));
        assertThat(decision(app, patient, "STATISTICS").str("decision")).isEqualTo("DENY");
        List<JsonNode> history = api.get("/api/v1/me/consents/history", Tokens.patient(patient)).list("items");
        assertThat(history).filteredOn(e -> e.get("channel").getStringValue().equals("EXPIRY")).singleElement()
                .satisfies(e -> {
                    assertThat(e.get("state").getStringValue()).isEqualTo("EXPIRED");
                    assertThat(e.get("decidedBy").get("type").getStringValue()).isEqualTo("SERVICE");
                    assertThat(Instant.parse(e.get("at").getStringValue())).isAfterOrEqualTo(end);
                });
        // The feed carries it (numbered by the feed's pass, a moment after the commit).
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/v1/changes?after=" + feedHead + "&wait=0",
                Tokens.application(app)).list("changes").stream().anyMatch(c -> c.get("reason") != null
                && "EXPIRED".equals(c.get("reason").getStringValue()) && c.get("purgeId") != null
                && !c.get("purgeId").isNull()));
    }

    @Test
    void an_end_in_the_past_on_a_refusal_beyond_the_declared_longest_or_malformed_is_refused_and_changes_nothing() {
        String app = Fixtures.newApplicationId();
        Res registered = api.post("/api/v1/applications", Tokens.admin(), """
                {"id": "%s", "name": "Limited", "publisher": "Éditeur", "purposes": [%s,
                 {"purpose": "COMMERCIALISATION", "noticeVersion": 1, "notice": {"fr": "vente", "en": "sale"},
                  "easyRead": {"fr": "On vend vos données.", "en": "We sell your data."}, "longestGrantDays": 30}]}"""
                .formatted(app, purpose("CARE", 1)));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        assertThat(api.get("/api/v1/applications/" + app, Tokens.admin()).list("purposes"))
                .filteredOn(p -> p.get("purpose").getStringValue().equals("COMMERCIALISATION")).singleElement()
                .satisfies(p -> {
                    assertThat(p.get("longestGrantDays").getIntValue()).isEqualTo(30);
                    assertThat(p.get("easyRead").get("en").getStringValue()).isEqualTo("We sell your data.");
                });
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        String path = "/api/v1/me/consents/" + app + "/COMMERCIALISATION";
        for (String body : List.of(
                grantUntil(app, patient, "COMMERCIALISATION", Instant.now().minusSeconds(60)),
                grantUntil(app, patient, "COMMERCIALISATION", Instant.now().plus(Duration.ofDays(31))),
                "{\"state\": \"REFUSED\", \"expiresAt\": \"" + Instant.now().plusSeconds(600) + "\"}",
                "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"expiresAt\": \"tomorrow\"}",
                "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"expiresAt\": \"+300000-01-01T00:00:00Z\"}")) {
            Res res = api.put(path, Tokens.patient(patient), body);
            assertThat(res.status()).as(body).isEqualTo(400);
            assertThat(res.contentType()).startsWith("application/problem+json");
            assertThat(res.body()).as(body).contains("\"expiresAt\"");
        }
        // An end beyond what the database can hold, on a purpose with no declared longest grant.
        Res farAway = api.put("/api/v1/me/consents/" + app + "/CARE", Tokens.patient(patient),
                "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"expiresAt\": \"+300000-01-01T00:00:00Z\"}");
        assertThat(farAway.status()).as(farAway.toString()).isEqualTo(400);
        assertThat(farAway.body()).contains("\"expiresAt\"");
        assertThat(api.get("/api/v1/me/consents", Tokens.patient(patient)).list("")).filteredOn(
                c -> c.get("applicationId").getStringValue().equals(app)
                        && c.get("purpose").getStringValue().equals("COMMERCIALISATION"))
                .singleElement().satisfies(c -> assertThat(c.get("state").getStringValue()).isEqualTo("NOT_SET"));

        Res defaulted = api.put(path, Tokens.patient(patient), "{\"state\": \"GRANTED\", \"noticeVersion\": 1}");
        assertThat(Instant.parse(defaulted.at("consent.expiresAt").getStringValue()))
                .as("the declared longest grant is the default end")
                .isBetween(Instant.now().plus(Duration.ofDays(30)).minusSeconds(60), Instant.now().plus(Duration.ofDays(30)));
    }

    @Test
    void a_grant_due_while_the_service_was_stopped_expires_when_it_starts_again() {
        String app = Fixtures.registerApplication(api, "STATISTICS");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        Instant end = Instant.now().plusSeconds(1);
        assertThat(api.put("/api/v1/me/consents/" + app + "/STATISTICS", Tokens.patient(patient),
                grantUntil(app, patient, "STATISTICS", end)).status()).isEqualTo(200);
        service.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(end));
        service = service.startAgain();
        api = service.api();
        await().atMost(Duration.ofSeconds(15)).until(() -> "EXPIRED".equals(decision(app, patient, "STATISTICS").str("reason")));
    }
}
