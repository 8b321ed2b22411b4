package health.consent.service.concern;

import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ethics concerns: a patient reports, regulators triage and answer, the patient reads the answer. */
class ConcernsTest extends OnBothDatabases {

    private static final String HOSTILE = "<img src=x onerror=alert(1)> « ils ont utilisé mes données » \"quand même\"";

    private static Res file(String patient, String body) {
        return api.post("/api/v1/me/concerns", Tokens.patient(patient), body);
    }

    private static String concern(String app, String category, String text) {
        return "{\"applicationId\": \"" + app + "\", \"category\": \"" + category + "\", \"text\": " + text + "}";
    }

    @Test
    void a_concern_goes_from_the_patient_to_the_regulators_and_their_answer_back() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        Res filed = file(patient, concern(app, "USED_DESPITE_REFUSAL", "\"" + HOSTILE.replace("\"", "\\\"") + "\""));
        assertThat(filed.status()).as(filed.toString()).isEqualTo(201);
        String id = filed.str("id");
        assertThat(filed.str("status")).isEqualTo("RECEIVED");
        assertThat(filed.str("text")).as("stored as written, escaped only where it is shown").isEqualTo(HOSTILE);

        assertThat(api.get("/api/v1/me/concerns", Tokens.patient(newPatient())).list("items"))
                .as("another patient sees nothing of it").isEmpty();
        List<JsonNode> received = api.get("/api/v1/concerns?status=RECEIVED&applicationId=" + app, Tokens.regulator())
                .list("items");
        assertThat(received).singleElement().satisfies(c -> {
            assertThat(c.get("id").getStringValue()).isEqualTo(id);
            assertThat(c.get("patientId").getStringValue()).isEqualTo(patient);
            assertThat(c.get("category").getStringValue()).isEqualTo("USED_DESPITE_REFUSAL");
        });

        Res review = api.put("/api/v1/concerns/" + id, Tokens.regulator(), "{\"status\": \"UNDER_REVIEW\"}");
        assertThat(review.status()).as(review.toString()).isEqualTo(200);
        assertThat(api.get("/api/v1/me/concerns", Tokens.patient(patient)).list("items").get(0).get("status")
                .getStringValue()).isEqualTo("UNDER_REVIEW");
        Res answered = api.put("/api/v1/concerns/" + id, Tokens.regulator(),
                "{\"status\": \"ANSWERED\", \"answer\": \"Nous avons demandé des explications à l'éditeur.\"}");
        assertThat(answered.status()).isEqualTo(200);
        assertThat(answered.str("answeredBy")).isNotBlank();

        JsonNode mine = api.get("/api/v1/me/concerns", Tokens.patient(patient)).list("items").get(0);
        assertThat(mine.get("status").getStringValue()).isEqualTo("ANSWERED");
        assertThat(mine.get("answer").getStringValue()).startsWith("Nous avons demandé");
        assertThat(mine.get("patientId")).as("the patient's own view does not repeat ids").isNull();

        Res again = api.put("/api/v1/concerns/" + id, Tokens.regulator(), "{\"status\": \"ANSWERED\", \"answer\": \"Autre\"}");
        assertThat(again.status()).as("an answer is final").isEqualTo(409);

        Res export = api.get("/api/v1/me/export", Tokens.patient(patient));
        assertThat(export.list("concerns")).singleElement()
                .satisfies(c -> assertThat(c.get("answer").getStringValue()).startsWith("Nous avons demandé"));
    }

    @Test
    void bad_reports_and_bad_triage_are_refused_with_the_field_named_and_change_nothing() {
        String app = registerApplication(api);
        String patient = newPatient();
        String[][] bad = {
            {concern(app, "ANGRY", "\"x\""), "category"},
            {concern(app, "OTHER", "\"   \""), "text"},
            {concern(app, "OTHER", "\"" + "x".repeat(2001) + "\""), "text"},
            {concern(app, "OTHER", "\"bell\\u0007\""), "text"},
            {concern("not an id", "OTHER", "\"x\""), "applicationId"},
            {"{\"applicationId\": \"" + app + "\", \"category\": \"OTHER\", \"text\": \"x\", \"severity\": 9}", "severity"},
        };
        for (String[] b : bad) {
            Res res = file(patient, b[0]);
            assertThat(res.status()).as(b[0]).isEqualTo(400);
            assertThat(res.contentType()).startsWith("application/problem+json");
            assertThat(res.body()).as(b[0]).contains("\"" + b[1] + "\"");
        }
        assertThat(file(patient, concern("app-unknown", "OTHER", "\"x\"")).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/me/concerns", Tokens.patient(patient)).num("totalItems")).isZero();

        String id = file(patient, concern(app, "OTHER", "\"x\"")).str("id");
        for (String[] b : new String[][] {{"{\"status\": \"RECEIVED\"}", "status"}, {"{\"status\": \"ANSWERED\"}", "answer"},
            {"{\"status\": \"UNDER_REVIEW\", \"answer\": \"early\"}", "answer"}, {"{\"status\": \"DONE\"}", "status"}}) {
            Res res = api.put("/api/v1/concerns/" + id, Tokens.regulator(), b[0]);
            assertThat(res.status()).as(b[0]).isEqualTo(400);
            assertThat(res.body()).as(b[0]).contains("\"" + b[1] + "\"");
        }
        assertThat(api.get("/api/v1/me/concerns", Tokens.patient(patient)).list("items").get(0).get("status")
                .getStringValue()).isEqualTo("RECEIVED");
        assertThat(api.put("/api/v1/concerns/00000000-0000-0000-0000-000000000000", Tokens.regulator(),
                "{\"status\": \"UNDER_REVIEW\"}").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/concerns?status=LOST", Tokens.regulator()).status()).isEqualTo(400);
    }

    @Test
    void a_patient_reporting_in_a_loop_is_asked_to_wait() {
        String app = registerApplication(api);
        String patient = newPatient();
        int accepted = 0;
        Res last = null;
        for (int i = 0; i < 11; i++) {
            last = file(patient, concern(app, "OTHER", "\"report " + i + "\""));
            if (last.status() == 201) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(10);
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.header("Retry-After")).isNotBlank();
    }

    @Test
    void applications_patients_and_admins_cannot_triage() {
        for (String token : new String[] {Tokens.application("app-x"), Tokens.patient(newPatient()), Tokens.admin()}) {
            assertThat(api.get("/api/v1/concerns", token).status()).isEqualTo(403);
        }
    }
}
