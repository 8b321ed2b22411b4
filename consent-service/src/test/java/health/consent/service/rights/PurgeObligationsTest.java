package health.consent.service.rights;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.model.Purpose;
import health.consent.sdk.ConsentClient;
import health.consent.sdk.PurgeRequest;
import health.consent.service.audit.AuditLog;
import health.consent.service.audit.FindingsPass;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Fixtures;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.ServiceSettings;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Purge obligations: a secondary grant that stops leaves the application owing an erasure, carried
 * by the feed, confirmed by the application (its own only, idempotently), shown to the patient, and
 * a finding for regulators once overdue (here after a second).
 */
@ServiceSettings({"consent.purges.overdue-after=1s", "consent.findings.settle=0s", "consent.findings.interval=1h"})
class PurgeObligationsTest extends OnBothDatabases {

    private static final String REASON = "reason=Inspection%20of%20erasures%20owed";


    /** A patient who granted STATISTICS to the application, then withdrew it: the obligation's id. */
    private static String withdrawn(String app, String patient) {
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        decide(api, Tokens.patient(patient), app, "STATISTICS", "GRANTED");
        long[] position = {api.get("/api/v1/changes", Tokens.application(app)).num("next")};
        decide(api, Tokens.patient(patient), app, "STATISTICS", "WITHDRAWN");
        // The feed is read on until the change with the obligation comes (the grant's may come first).
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Res page = api.get("/api/v1/changes?after=" + position[0] + "&wait=5", Tokens.application(app));
            position[0] = page.num("next");
            page.list("changes").stream().filter(c -> c.get("purgeId") != null && !c.get("purgeId").isNull()
                    && c.get("patientId").getStringValue().equals(patient)).findFirst().ifPresent(c -> found[0] = c);
            return found[0] != null;
        });
        JsonNode change = found[0];
        assertThat(change.get("patientId").getStringValue()).isEqualTo(patient);
        assertThat(change.get("purpose").getStringValue()).isEqualTo("STATISTICS");
        return change.get("purgeId").getStringValue();
    }

    private static JsonNode erasure(String patient, String app) {
        return api.get("/api/v1/me/consents", Tokens.patient(patient)).list("").stream()
                .filter(c -> c.get("applicationId").getStringValue().equals(app)
                        && c.get("purpose").getStringValue().equals("STATISTICS"))
                .findFirst().orElseThrow().get("erasure");
    }

    @Test
    void a_withdrawal_owes_an_erasure_the_application_confirms_once_and_the_patient_sees_it() {
        String app = Fixtures.registerApplication(api, "STATISTICS");
        String other = Fixtures.registerApplication(api, "STATISTICS");
        String patient = newPatient();
        String purge = withdrawn(app, patient);
        assertThat(erasure(patient, app).get("confirmedAt").isNull()).as("pending").isTrue();
        assertThat(api.get("/api/v1/purges", Tokens.application(app)).list("items"))
                .extracting(p -> p.get("id").getStringValue()).containsExactly(purge);

        assertThat(api.post("/api/v1/purges/" + purge + "/confirmation", Tokens.application(other), null).status())
                .as("another application's obligation is not found").isEqualTo(404);
        assertThat(api.post("/api/v1/purges/not-an-id/confirmation", Tokens.application(app), null).status())
                .isEqualTo(400);
        Res first = api.post("/api/v1/purges/" + purge + "/confirmation", Tokens.application(app), null);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        Res again = api.post("/api/v1/purges/" + purge + "/confirmation", Tokens.application(app), null);
        assertThat(again.str("confirmedAt")).as("idempotent").isEqualTo(first.str("confirmedAt"));

        assertThat(erasure(patient, app).get("confirmedAt").getStringValue()).isEqualTo(first.str("confirmedAt"));
        assertThat(api.get("/api/v1/purges", Tokens.application(app)).list("items")).isEmpty();
        assertThat(api.get("/api/v1/me/export", Tokens.patient(patient)).list("purges")).singleElement()
                .satisfies(p -> assertThat(p.get("confirmedAt").getStringValue()).isEqualTo(first.str("confirmedAt")));
        assertThat(api.post("/api/v1/purges/" + purge + "/confirmation", Tokens.patient(patient), null).status())
                .isEqualTo(403);

        // A later change of the purpose answers with the erasure owed before it, read with the decisions' lock.
        Res granted = decide(api, Tokens.patient(patient), app, "STATISTICS", "GRANTED");
        assertThat(granted.status()).as(granted.toString()).isEqualTo(200);
        assertThat(granted.str("consent.erasure.id")).isEqualTo(purge);
        assertThat(granted.str("consent.erasure.confirmedAt")).isEqualTo(first.str("confirmedAt"));
    }

    @Test
    void a_first_refusal_and_care_owe_nothing() {
        String app = Fixtures.registerApplication(api, "STATISTICS");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        decide(api, Tokens.patient(patient), app, "STATISTICS", "REFUSED");
        decide(api, Tokens.patient(patient), app, "CARE", "WITHDRAWN");
        assertThat(api.get("/api/v1/purges", Tokens.application(app)).list("items")).isEmpty();
        assertThat(erasure(patient, app).isNull()).isTrue();
    }

    @Test
    void the_sdk_calls_the_applications_listener_and_confirms() {
        String app = Fixtures.registerApplication(api, "STATISTICS");
        String patient = newPatient();
        List<PurgeRequest> asked = new CopyOnWriteArrayList<>();
        try (ConsentClient client = ConsentClient.builder().baseUrl(service.uri()).token(() -> Tokens.application(app))
                .build()) {
            client.addPurgeListener(asked::add);
            await().atMost(Duration.ofSeconds(10)).until(() -> client.status() == health.consent.sdk.ClientStatus.VALID);
            decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
            decide(api, Tokens.patient(patient), app, "STATISTICS", "GRANTED");
            decide(api, Tokens.patient(patient), app, "CARE", "WITHDRAWN");
            await().atMost(Duration.ofSeconds(10)).until(() -> !asked.isEmpty());
            assertThat(asked).singleElement().satisfies(p -> {
                assertThat(p.patientId()).isEqualTo(patient);
                assertThat(p.purpose()).as("withdrawn by CARE's withdrawal").isEqualTo(Purpose.STATISTICS);
            });
            assertThat(client.pendingPurges()).extracting(PurgeRequest::id).containsExactly(asked.get(0).id());
            client.confirmPurge(asked.get(0).id());
            assertThat(client.pendingPurges()).isEmpty();
        }
    }

    @Test
    void an_erasure_not_confirmed_in_time_is_a_finding_proven_by_the_withdrawal() {
        String app = Fixtures.registerApplication(api, "STATISTICS");
        String late = newPatient();
        String purge = withdrawn(app, late);
        String confirmed = newPatient();
        String done = withdrawn(app, confirmed);
        api.post("/api/v1/purges/" + done + "/confirmation", Tokens.application(app), null);
        Instant due = Instant.now().plusSeconds(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(due));
        service.context().getBean(AuditLog.class).appendAll();
        service.context().getBean(FindingsPass.class).judgeAll();

        List<JsonNode> found = api.get("/api/v1/audit/findings?kind=PURGE_OVERDUE&applicationId=" + app + "&" + REASON,
                Tokens.regulator()).list("items");
        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.get("patientId").getStringValue()).isEqualTo(late);
            assertThat(f.get("record").get("id").getStringValue()).isEqualTo(purge);
            assertThat(f.get("events").size()).isEqualTo(1);
        });
        service.context().getBean(FindingsPass.class).judgeAll();
        assertThat(api.get("/api/v1/audit/findings?kind=PURGE_OVERDUE&applicationId=" + app + "&" + REASON,
                Tokens.regulator()).list("items")).as("reported once").hasSize(1);
    }
}
