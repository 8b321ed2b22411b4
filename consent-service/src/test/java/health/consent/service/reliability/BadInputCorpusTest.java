package health.consent.service.reliability;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Hostile and careless input, over a hundred cases across the API: each gets a 4xx problem
 * document that says what is wrong, and the database holds exactly what it held before.
 */
class BadInputCorpusTest extends OnBothDatabases {

    private record Case(String name, String method, String path, String token, String body, Map<String, String> headers) {
    }

    private static final String[] TABLES = {"application", "declared_purpose", "notice", "consent", "consent_event",
        "consent_change", "access_record"};

    private static String snapshot() {
        StringBuilder s = new StringBuilder();
        for (String table : TABLES) {
            s.append(table).append('=').append(service.count("SELECT COUNT(*) FROM " + table)).append(' ');
        }
        return s.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void every_case_of_the_corpus_is_refused_with_a_problem_and_changes_nothing() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, app, "CARE", "GRANTED");
        String appToken = Tokens.application(app);
        String consent = "/api/v1/me/consents/" + app + "/STATISTICS";
        String validChange = "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"channel\": \"WEB\"}";
        String validRecord = "[{\"id\": \"" + UUID.randomUUID() + "\", \"patientId\": \"p-1\", \"purpose\": \"CARE\", "
                + "\"actor\": \"dr-x\", \"dataCategory\": \"vitals\", \"outcome\": \"PERMIT\", \"at\": \"2026-01-01T00:00:00Z\"}]";
        String validApp = "{\"id\": \"corpus-app\", \"name\": \"N\", \"publisher\": \"P\", \"purposes\": "
                + "[{\"purpose\": \"CARE\", \"noticeVersion\": 1, \"notice\": {\"fr\": \"a\", \"en\": \"b\"}}]}";
        String[] hostile = {"' OR '1'='1", "1; DROP TABLE consent; --", "<script>alert(1)</script>", "../../etc/passwd",
            "\u0000", "\u202e\u202dreversed", "é".repeat(70), "a".repeat(65), "%00", "${jndi:ldap://x/a}", "🙂", " ",
            "CARE\n", "p 1", "p/1"};
        List<Case> cases = new ArrayList<>();
        Map<String, String> none = Map.of();

        // Malformed and truncated JSON, for each kind of body.
        for (String[] body : new String[][] {{"PUT", consent, token, validChange}, {"POST", "/api/v1/access-records", appToken, validRecord},
            {"POST", "/api/v1/applications", Tokens.admin(), validApp}, {"POST", "/api/v1/decisions/filter", appToken,
                "{\"purpose\": \"CARE\", \"patientIds\": [\"p-1\"]}"}}) {
            for (int cut = 1; cut < body[3].length() - 1; cut += Math.max(1, body[3].length() / 6)) {
                cases.add(new Case("truncated at " + cut, body[0], body[1], body[2], body[3].substring(0, cut), none));
            }
            cases.add(new Case("not JSON", body[0], body[1], body[2], "state=GRANTED", none));
            cases.add(new Case("empty", body[0], body[1], body[2], "", none));
            cases.add(new Case("JSON null", body[0], body[1], body[2], "null", none));
            cases.add(new Case("a number", body[0], body[1], body[2], "42", none));
        }
        // Wrong types, unknown fields and values, control characters.
        for (String body : new String[] {"{\"state\": 1}", "{\"state\": true}", "{\"state\": [\"GRANTED\"]}",
            "{\"state\": {\"v\": 1}}", "{\"state\": \"granted\"}", "{\"state\": \"GRANTED\", \"noticeVersion\": -1}",
            "{\"state\": \"GRANTED\", \"noticeVersion\": 1.5}", "{\"state\": \"GRANTED\", \"noticeVersion\": 99999999999}",
            "{\"state\": \"GRANTED\", \"noticeVersion\": \"1\"}", "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"admin\": true}",
            "{\"state\": \"REFUSED\", \"channel\": \"CASCADE\"}", "{\"state\": \"REFUSED\", \"channel\": 7}",
            "{\"state\": \"GRANTED\\u0000\", \"noticeVersion\": 1}", "{}", "{\"State\": \"GRANTED\"}"}) {
            cases.add(new Case("change " + body, "PUT", consent, token, body, none));
        }
        // Identifiers and purposes in paths: hostile, too long, unicode.
        for (String bad : hostile) {
            cases.add(new Case("patient id " + bad, "GET", "/api/v1/decisions/" + enc(bad) + "/CARE", appToken, null, none));
            cases.add(new Case("purpose " + bad, "PUT", "/api/v1/me/consents/" + app + "/" + enc(bad), token, validChange, none));
            cases.add(new Case("record patient " + bad, "POST", "/api/v1/access-records", appToken,
                    validRecord.replace("\"p-1\"", "\"" + bad.replace("\\", "\\\\").replace("\"", "\\\"")
                            .replace("\u0000", "\\u0000").replace("\n", "\\n") + "\""), none));
        }
        // Oversized arrays and paging values.
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i <= 10_000; i++) {
            ids.append(i == 0 ? "" : ",").append("\"p-").append(i).append('"');
        }
        cases.add(new Case("10,001 ids", "POST", "/api/v1/decisions/filter", appToken,
                "{\"purpose\": \"CARE\", \"patientIds\": [" + ids + "]}", none));
        StringBuilder records = new StringBuilder("[");
        for (int i = 0; i <= 1_000; i++) {
            records.append(i == 0 ? "" : ",").append(validRecord, 1, validRecord.length() - 1);
        }
        cases.add(new Case("1,001 records", "POST", "/api/v1/access-records", appToken, records + "]", none));
        for (String paging : new String[] {"page=-1", "page=99999999999", "size=0", "size=-5", "size=100000", "page=1e3",
            "size=%27", "page=x&size=1"}) {
            cases.add(new Case("history " + paging, "GET", "/api/v1/me/consents/history?" + paging, token, null, none));
            cases.add(new Case("audit " + paging, "GET", "/api/v1/audit/access-records?" + paging, Tokens.regulator(), null, none));
        }
        for (String ifMatch : new String[] {"abc", "\"-1\"", "W/\"x\"", "\"1", "99999999999999999999", "1,2"}) {
            cases.add(new Case("If-Match " + ifMatch, "PUT", consent, token, validChange, Map.of("If-Match", ifMatch)));
        }
        assertThat(cases).hasSizeGreaterThanOrEqualTo(100);

        String before = snapshot();
        Map<String, String> failures = new LinkedHashMap<>();
        for (Case c : cases) {
            Res res = api.send(c.method(), c.path(), c.token(), c.body(), c.headers());
            boolean problem = res.contentType() != null && res.contentType().startsWith("application/problem+json");
            if (res.status() < 400 || res.status() >= 500 || !problem) {
                failures.put(c.name(), res.status() + " " + res.contentType());
            } else if (res.str("detail") == null || res.str("detail").isBlank()) {
                failures.put(c.name(), "a problem without a detail");
            }
        }
        assertThat(failures).isEmpty();
        assertThat(snapshot()).as("nothing written by %d refused requests", cases.size()).isEqualTo(before);
    }
}
