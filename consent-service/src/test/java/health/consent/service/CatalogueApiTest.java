package health.consent.service;

import static health.consent.service.support.Fixtures.newApplicationId;
import static health.consent.service.support.Fixtures.purpose;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import org.junit.jupiter.api.Test;

class CatalogueApiTest extends OnBothDatabases {

    @Test
    void an_admin_registers_an_application_that_every_role_can_read() {
        String id = newApplicationId();
        Res created = api.post("/api/v1/applications", Tokens.admin(), """
                {"id": "%s", "name": "Glycémie+", "publisher": "Diabète SAS",
                 "purposes": [%s, %s]}""".formatted(id, purpose("CARE", 1), purpose("STATISTICS", 3)));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/applications/" + id);
        assertThat(created.str("purposes[1].purpose")).isEqualTo("STATISTICS");
        assertThat(created.num("purposes[1].noticeVersion")).isEqualTo(3);
        assertThat(created.str("purposes[1].notice.fr")).isEqualTo("Notice STATISTICS v3");
        assertThat(created.str("status")).isEqualTo("ACTIVE");

        for (String token : new String[] {Tokens.patient("p-1"), Tokens.application("other-app"), Tokens.regulator(),
                Tokens.admin()}) {
            Res one = api.get("/api/v1/applications/" + id, token);
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.str("name")).isEqualTo("Glycémie+");
            Res all = api.get("/api/v1/applications", token);
            assertThat(all.list("")).anyMatch(a -> a.get("id").getStringValue().equals(id));
        }
    }

    @Test
    void only_an_admin_registers_or_changes_applications() {
        String body = """
                {"id": "%s", "name": "X", "publisher": "Y", "purposes": [%s]}""".formatted(newApplicationId(),
                purpose("CARE", 1));
        for (String token : new String[] {Tokens.patient("p-1"), Tokens.application("app-x"), Tokens.regulator()}) {
            assertThat(api.post("/api/v1/applications", token, body).status()).isEqualTo(403);
        }
        String id = registerApplication(api);
        assertThat(api.put("/api/v1/applications/" + id + "/purposes/STATISTICS", Tokens.patient("p-1"),
                "{\"noticeVersion\": 1, \"notice\": {\"fr\": \"a\", \"en\": \"b\"}}").status()).isEqualTo(403);
    }

    @Test
    void care_must_be_declared() {
        Res res = api.post("/api/v1/applications", Tokens.admin(), """
                {"id": "%s", "name": "X", "publisher": "Y", "purposes": [%s]}""".formatted(newApplicationId(),
                purpose("STATISTICS", 1)));
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.contentType()).startsWith("application/problem+json");
        assertThat(res.str("errors[0].field")).isEqualTo("purposes");
        assertThat(res.str("errors[0].message")).contains("CARE");
    }

    @Test
    void an_application_id_is_registered_once() {
        String id = registerApplication(api);
        Res again = api.post("/api/v1/applications", Tokens.admin(), """
                {"id": "%s", "name": "X", "publisher": "Y", "purposes": [%s]}""".formatted(id, purpose("CARE", 1)));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.str("type")).endsWith("application-exists");
    }

    @Test
    void a_registration_with_several_mistakes_names_each_field() {
        Res res = api.post("/api/v1/applications", Tokens.admin(), """
                {"id": "Not Valid", "name": "", "purposes": [{"purpose": "MARKETING", "noticeVersion": 0,
                 "notice": {"fr": "x"}}], "mandatory": ["STATISTICS"]}""");
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.list("errors")).extracting(e -> e.get("field").getStringValue()).contains("id", "name",
                "publisher", "purposes[0].purpose", "purposes[0].noticeVersion", "purposes[0].notice.en", "mandatory");
    }

    @Test
    void an_admin_publishes_a_new_notice_version_but_never_rewrites_a_published_one() {
        String id = registerApplication(api, "STATISTICS");
        String path = "/api/v1/applications/" + id + "/purposes/STATISTICS";
        Res same = api.put(path, Tokens.admin(), "{\"noticeVersion\": 1, \"notice\": {\"fr\": \"Notice STATISTICS v1\", "
                + "\"en\": \"Notice STATISTICS v1\"}}");
        assertThat(same.status()).isEqualTo(200);
        Res rewritten = api.put(path, Tokens.admin(), "{\"noticeVersion\": 1, \"notice\": {\"fr\": \"autre\", \"en\": \"other\"}}");
        assertThat(rewritten.status()).isEqualTo(409);
        Res bumped = api.put(path, Tokens.admin(), "{\"noticeVersion\": 2, \"notice\": {\"fr\": \"v2 fr\", \"en\": \"v2 en\"}}");
        assertThat(bumped.status()).isEqualTo(200);
        assertThat(bumped.num("purposes[1].noticeVersion")).isEqualTo(2);
        assertThat(bumped.str("purposes[1].notice.en")).isEqualTo("v2 en");
        Res older = api.put(path, Tokens.admin(), "{\"noticeVersion\": 1, \"notice\": {\"fr\": \"a\", \"en\": \"b\"}}");
        assertThat(older.status()).isEqualTo(409);
    }

    @Test
    void an_admin_declares_a_new_purpose() {
        String id = registerApplication(api);
        Res res = api.put("/api/v1/applications/" + id + "/purposes/COMMERCIALISATION", Tokens.admin(),
                "{\"noticeVersion\": 1, \"notice\": {\"fr\": \"vente\", \"en\": \"sale\"}}");
        assertThat(res.status()).isEqualTo(201);
        assertThat(res.list("purposes")).extracting(p -> p.get("purpose").getStringValue())
                .containsExactly("CARE", "COMMERCIALISATION");
    }

    @Test
    void an_unknown_application_is_not_found() {
        Res res = api.get("/api/v1/applications/no-such-app", Tokens.admin());
        assertThat(res.status()).isEqualTo(404);
        assertThat(res.contentType()).startsWith("application/problem+json");
    }
}
