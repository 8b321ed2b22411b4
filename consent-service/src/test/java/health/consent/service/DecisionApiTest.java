package health.consent.service;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DecisionApiTest extends OnBothDatabases {

    private static String filterBody(String purpose, List<String> ids) {
        return "{\"purpose\": \"" + purpose + "\", \"patientIds\": ["
                + ids.stream().map(i -> "\"" + i + "\"").collect(Collectors.joining(",")) + "]}";
    }

    @Test
    void an_application_gets_the_decision_and_the_version_of_the_patients_choice() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, app, "CARE", "GRANTED");
        decide(api, token, app, "STATISTICS", "GRANTED");
        decide(api, token, app, "STATISTICS", "WITHDRAWN");
        decide(api, token, app, "STATISTICS", "GRANTED");
        Res res = api.get("/api/v1/decisions/" + patient + "/STATISTICS", Tokens.application(app));
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.str("decision")).isEqualTo("PERMIT");
        assertThat(res.str("reason")).isEqualTo("GRANTED");
        assertThat(res.num("version")).isEqualTo(3);
    }

    @Test
    void an_application_only_ever_gets_answers_about_its_own_consents() {
        String mine = registerApplication(api, "STATISTICS");
        String other = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, other, "CARE", "GRANTED");
        decide(api, token, other, "STATISTICS", "GRANTED");

        Res res = api.get("/api/v1/decisions/" + patient + "/STATISTICS", Tokens.application(mine));
        assertThat(res.str("decision")).isEqualTo("DENY");
        assertThat(res.str("reason")).isEqualTo("CARE_NOT_GRANTED");
        Res filtered = api.post("/api/v1/decisions/filter", Tokens.application(mine), filterBody("STATISTICS", List.of(patient)));
        assertThat(filtered.list("permitted")).isEmpty();
        Res theirs = api.post("/api/v1/decisions/filter", Tokens.application(other), filterBody("STATISTICS", List.of(patient)));
        assertThat(theirs.list("permitted")).extracting(JsonNode::getStringValue).containsExactly(patient);
    }

    @Test
    void a_cohort_filter_keeps_exactly_the_permitting_patients_in_order() {
        String app = registerApplication(api, "STATISTICS");
        List<String> ids = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String patient = newPatient();
            ids.add(patient);
            String token = Tokens.patient(patient);
            decide(api, token, app, "CARE", "GRANTED");
            if (i % 2 == 0) {
                decide(api, token, app, "STATISTICS", "GRANTED");
                expected.add(patient);
            } else if (i == 3) {
                decide(api, token, app, "STATISTICS", "REFUSED");
            }
        }
        ids.add(newPatient());
        ids.add(ids.get(0));
        Res res = api.post("/api/v1/decisions/filter", Tokens.application(app), filterBody("STATISTICS", ids));
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.list("permitted")).extracting(JsonNode::getStringValue).containsExactlyElementsOf(expected);
    }

    @Test
    void a_filter_takes_up_to_ten_thousand_ids() {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        List<String> ids = IntStream.range(0, 9_999).mapToObj(i -> "cohort-" + i).collect(Collectors.toList());
        ids.add(patient);
        Res ok = api.post("/api/v1/decisions/filter", Tokens.application(app), filterBody("CARE", ids));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.list("permitted")).extracting(JsonNode::getStringValue).containsExactly(patient);

        ids.add("one-too-many");
        Res tooMany = api.post("/api/v1/decisions/filter", Tokens.application(app), filterBody("CARE", ids));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.str("errors[0].field")).isEqualTo("patientIds");
        assertThat(tooMany.str("errors[0].message")).contains("10000");
    }

    @Test
    void invalid_patient_ids_and_purposes_are_named() {
        String app = registerApplication(api);
        Res badId = api.get("/api/v1/decisions/bad%20id/CARE", Tokens.application(app));
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.str("errors[0].field")).isEqualTo("patientId");
        Res badPurpose = api.get("/api/v1/decisions/p-1/MARKETING", Tokens.application(app));
        assertThat(badPurpose.status()).isEqualTo(400);
        assertThat(badPurpose.str("errors[0].field")).isEqualTo("purpose");
        Res badFilter = api.post("/api/v1/decisions/filter", Tokens.application(app),
                "{\"purpose\": \"CARE\", \"patientIds\": [\"ok-1\", \"not ok\", 42]}");
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(badFilter.list("errors")).extracting(e -> e.get("field").getStringValue())
                .containsExactly("patientIds[1]", "patientIds[2]");
    }

    @Test
    void only_applications_ask_for_decisions() {
        for (String token : List.of(Tokens.patient("p-1"), Tokens.regulator(), Tokens.admin())) {
            assertThat(api.get("/api/v1/decisions/p-1/CARE", token).status()).isEqualTo(403);
            assertThat(api.post("/api/v1/decisions/filter", token, filterBody("CARE", List.of("p-1"))).status())
                    .isEqualTo(403);
        }
    }
}
