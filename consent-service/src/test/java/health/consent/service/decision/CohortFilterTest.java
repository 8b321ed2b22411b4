package health.consent.service.decision;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import health.consent.service.consent.ConsentRepository;
import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The cohort filter reads only grants, by ranges of patient ids, and by lookups where the cohort
 * is sparse: whichever way it reads, it keeps exactly the patients the single decision permits,
 * whatever the ids' characters (case and punctuation sort differently in a database's linguistic
 * collation than in bytes).
 */
class CohortFilterTest extends OnBothDatabases {

    /** First characters that sort one way in bytes and another in a linguistic collation. */
    private static final List<String> PREFIXES = List.of("A", "a", "B", "b", "_", "-", "0", "z", "Z", ".", ":");

    private static String filterBody(String purpose, List<String> ids) {
        return "{\"purpose\": \"" + purpose + "\", \"patientIds\": ["
                + ids.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(",")) + "]}";
    }

    /** The JSON filter's answer, checked against the text path's (the same ids, sorted by their bytes). */
    private static List<String> filter(String app, String purpose, List<String> ids) {
        Res res = api.post("/api/v1/decisions/filter", Tokens.application(app), filterBody(purpose, ids));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        List<String> permitted = res.list("permitted").stream().map(JsonNode::getStringValue).toList();
        assertThat(cohort(app, purpose, String.join("\n", ids)))
                .containsExactlyElementsOf(permitted.stream().sorted().toList());
        return permitted;
    }

    private static Res cohortRequest(String app, String purpose, String body) {
        return api.send("POST", "/api/v1/decisions/cohort" + (purpose == null ? "" : "?purpose=" + purpose),
                Tokens.application(app), body, Map.of("Content-Type", "text/plain", "Accept", "text/plain"));
    }

    private static List<String> cohort(String app, String purpose, String body) {
        Res res = cohortRequest(app, purpose, body);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        assertThat(res.contentType()).startsWith("text/plain");
        return res.body().isEmpty() ? List.of() : List.of(res.body().split("\n"));
    }

    private static boolean permits(String app, String patient, String purpose) {
        Res res = api.get("/api/v1/decisions/" + patient + "/" + purpose, Tokens.application(app));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.str("decision").equals("PERMIT");
    }

    /** {@code count} patients with ids of mixed first characters, fresh for this test. */
    private static List<String> patients(int count) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(PREFIXES.get(i % PREFIXES.size()) + run + "-" + i);
        }
        return ids;
    }

    /**
     * Patient i: 0 CARE and STATISTICS granted; 1 CARE only; 2 STATISTICS refused; 3 both granted then
     * CARE withdrawn; 4 nothing decided; 5 both granted to the other application only.
     */
    private static void decideInTurn(String app, String other, List<String> patients) {
        for (int i = 0; i < patients.size(); i++) {
            String token = Tokens.patient(patients.get(i));
            String to = i % 6 == 5 ? other : app;
            if (i % 6 != 4) {
                decide(api, token, to, "CARE", "GRANTED");
            }
            switch (i % 6) {
                case 0, 3, 5 -> decide(api, token, to, "STATISTICS", "GRANTED");
                case 2 -> decide(api, token, to, "STATISTICS", "REFUSED");
                default -> { }
            }
            if (i % 6 == 3) {
                decide(api, token, to, "CARE", "WITHDRAWN");
            }
        }
    }

    /** An application whose patients decided as {@link #decideInTurn} says, beside another application. */
    private static String population(List<String> patients) {
        String app = registerApplication(api, "STATISTICS");
        decideInTurn(app, registerApplication(api, "STATISTICS"), patients);
        return app;
    }

    @Test
    void a_whole_population_asked_at_once_gets_the_single_decisions_answers_in_input_order() {
        List<String> patients = patients(36);
        String app = population(patients);
        List<String> asked = new ArrayList<>(patients);
        asked.add(patients.get(0));
        asked.add("never-seen-" + UUID.randomUUID().toString().substring(0, 8));

        for (String purpose : List.of("STATISTICS", "CARE")) {
            List<String> expected = patients.stream().filter(p -> permits(app, p, purpose)).toList();
            assertThat(expected).as("some permit, not all").isNotEmpty().hasSizeLessThan(patients.size());
            assertThat(filter(app, purpose, asked)).as(purpose).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void a_few_patients_spread_among_many_are_found_all_the_same() {
        List<String> patients = patients(66);
        String app = population(patients);
        // Two ids at each end of the population in byte order, with sixty patients of grants between them:
        // many more grants than patients asked.
        List<String> sorted = patients.stream().sorted().toList();
        List<String> asked = List.of(sorted.get(0), sorted.get(1), sorted.get(sorted.size() - 2),
                sorted.get(sorted.size() - 1));
        for (String purpose : List.of("STATISTICS", "CARE")) {
            List<String> expected = asked.stream().filter(p -> permits(app, p, purpose)).toList();
            assertThat(filter(app, purpose, asked)).as(purpose).containsExactlyElementsOf(expected);
        }
        List<String> granted = patients.stream().filter(p -> permits(app, p, "STATISTICS")).toList();
        List<String> spread = List.of(granted.get(0), granted.get(granted.size() / 2), granted.get(granted.size() - 1));
        assertThat(filter(app, "STATISTICS", spread)).containsExactlyElementsOf(spread);
    }

    @Test
    void every_other_patient_asked_is_read_by_range_past_the_grants_of_those_not_asked() {
        List<String> patients = patients(66);
        String app = population(patients);
        // Half the population, alternately in byte order: a range holds about two grants per patient
        // asked, few enough to be read whole, and the walk passes the grants of each patient not asked.
        List<String> sorted = patients.stream().sorted().toList();
        List<String> asked = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i += 2) {
            asked.add(sorted.get(i));
        }
        for (String purpose : List.of("STATISTICS", "CARE")) {
            List<String> expected = asked.stream().filter(p -> permits(app, p, purpose)).toList();
            assertThat(expected).as("some permit, not all").isNotEmpty().hasSizeLessThan(asked.size());
            assertThat(filter(app, purpose, asked)).as(purpose).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void a_new_notice_leaves_only_the_grants_made_on_it() {
        String app = registerApplication(api, "STATISTICS");
        List<String> patients = patients(4);
        for (String p : patients) {
            decide(api, Tokens.patient(p), app, "CARE", "GRANTED");
            decide(api, Tokens.patient(p), app, "STATISTICS", "GRANTED");
        }
        assertThat(filter(app, "STATISTICS", patients)).containsExactlyElementsOf(patients);

        assertThat(api.put("/api/v1/applications/" + app + "/purposes/STATISTICS", Tokens.admin(),
                "{\"noticeVersion\": 2, \"notice\": {\"fr\": \"nouveau\", \"en\": \"new\"}}").status()).isEqualTo(200);
        assertThat(filter(app, "STATISTICS", patients)).isEmpty();
        assertThat(filter(app, "CARE", patients)).as("a new notice never blocks care").containsExactlyElementsOf(patients);

        Res regrant = api.put("/api/v1/me/consents/" + app + "/STATISTICS", Tokens.patient(patients.get(2)),
                "{\"state\": \"GRANTED\", \"noticeVersion\": 2}");
        assertThat(regrant.status()).as(regrant.toString()).isEqualTo(200);
        assertThat(filter(app, "STATISTICS", patients)).containsExactly(patients.get(2));
    }

    @Test
    void the_text_path_takes_any_line_ending_and_duplicates_and_refuses_a_bad_id_or_purpose_naming_it() {
        String app = registerApplication(api, "STATISTICS");
        List<String> patients = patients(3);
        for (String p : patients) {
            decide(api, Tokens.patient(p), app, "CARE", "GRANTED");
        }
        String body = patients.get(2) + "\r\n" + patients.get(0) + "\n" + patients.get(2) + "\n" + patients.get(1) + "\n";
        assertThat(cohort(app, "CARE", body)).containsExactlyElementsOf(patients.stream().sorted().toList());
        assertThat(cohort(app, "CARE", "")).isEmpty();
        assertThat(cohort(app, "STATISTICS", body)).isEmpty();

        Res badId = cohortRequest(app, "CARE", patients.get(0) + "\nnot a patient\n" + patients.get(1));
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.contentType()).startsWith("application/problem+json");
        assertThat(badId.str("errors[0].field")).isEqualTo("patientIds[1]");
        Res badPurpose = cohortRequest(app, "SALES", patients.get(0));
        assertThat(badPurpose.status()).isEqualTo(400);
        assertThat(badPurpose.str("errors[0].field")).isEqualTo("purpose");
        assertThat(cohortRequest(app, null, patients.get(0)).str("errors[0].field")).isEqualTo("purpose");
        Res patient = api.send("POST", "/api/v1/decisions/cohort?purpose=CARE", Tokens.patient(patients.get(0)),
                patients.get(0), Map.of("Content-Type", "text/plain"));
        assertThat(patient.status()).as("applications only").isEqualTo(403);
    }

    @Test
    void on_postgresql_a_range_of_grants_is_read_from_the_index_of_grants_alone() throws SQLException {
        assumeTrue("PostgreSQL".equals(database), "H2 has no partial index");
        List<String> plan = new ArrayList<>();
        try (Connection c = service.connection(); Statement s = c.createStatement()) {
            // A test's tables are small enough to be read whole; the question is which index a range can use.
            s.execute("SET enable_seqscan = off");
            try (PreparedStatement explain = c.prepareStatement("EXPLAIN " + ConsentRepository.grantsBetweenQuery(true))) {
                Object[] params = {"some-app", "STATISTICS", "a", "b", 100};
                for (int i = 0; i < params.length; i++) {
                    explain.setObject(i + 1, params[i]);
                }
                try (ResultSet rs = explain.executeQuery()) {
                    while (rs.next()) {
                        plan.add(rs.getString(1));
                    }
                }
            }
        }
        String text = String.join("\n", plan);
        assertThat(text).as(text).contains("Index Only Scan using consent_by_application")
                .doesNotContain("Sort").doesNotContain("Filter").doesNotContain("state");
    }
}
