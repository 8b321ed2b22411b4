package health.consent.service.consent;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.decision;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static health.consent.service.support.RawHttp.get;
import static health.consent.service.support.RawHttp.gunzip;
import static health.consent.service.support.RawHttp.response;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.db.DatabaseUnavailableException;
import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import io.micronaut.json.JsonMapper;
import io.netty.handler.codec.http.FullHttpResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A patient's consent change answered where the connection is read: the same answers as the
 * framework's, for the usual request of a known patient only; everything else is the framework's,
 * and a request it refuses changes nothing; pipelined requests keep their order.
 */
class ConsentChangeRequestsTest {

    private static double answeredAtTheConnection(TestService service) {
        return service.metric("consent_changes_connection_answers_total");
    }

    /** A token the framework has not seen: its request is the framework's to answer. */
    private static String unseen(String patient) {
        return Tokens.custom(patient, "PATIENT", c -> c.claim("nonce", UUID.randomUUID().toString()));
    }

    /**
     * A token the framework has validated once: its usual changes are answered at the connection.
     * Its patient has granted CARE, through the framework, so that secondary purposes may be granted.
     */
    private static String known(Api api, String patient, String app) {
        decide(api, unseen(patient), app, "CARE", "GRANTED");
        String token = unseen(patient);
        assertThat(api.get("/api/v1/me/consents", token).status()).isEqualTo(200);
        return token;
    }

    /**
     * A patient of a new application that declares STATISTICS, with a known token, and the
     * address of their STATISTICS consent.
     */
    private record Patient(Api api, String app, String id, String known, String path) {

        static Patient of(TestService service) {
            Api api = service.api();
            String app = registerApplication(api, "STATISTICS");
            String patient = newPatient();
            return new Patient(api, app, patient, ConsentChangeRequestsTest.known(api, patient, app),
                    "/api/v1/me/consents/" + app + "/STATISTICS");
        }
    }

    private static TreeSet<String> headerNames(Res res) {
        return res.headers().keySet().stream().map(String::toLowerCase).filter(h -> !h.startsWith(":"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void assertSameAnswer(Res here, Res framework) {
        assertThat(here.status()).as(here.toString()).isEqualTo(framework.status());
        assertThat(here.body()).isEqualTo(framework.body());
        assertThat(headerNames(here)).isEqualTo(headerNames(framework));
        assertThat(here.contentType()).isEqualTo(framework.contentType());
        for (String h : new String[] {"ETag", "Retry-After", "Cache-Control", "Content-Security-Policy"}) {
            assertThat(here.header(h)).as(h).isEqualTo(framework.header(h));
        }
    }

    @Test
    void a_known_patients_change_is_answered_at_the_connection_as_the_framework_answers_it() {
        try (TestService service = TestService.start(Databases.h2())) {
            Patient p = Patient.of(service);
            double before = answeredAtTheConnection(service);

            // Each time the framework first (a token it has not seen), then the same request here.
            Res framework = p.api().put(p.path(), unseen(p.id()), decision("GRANTED", 1));
            Res here = p.api().put(p.path(), p.known(), decision("GRANTED", 1));
            assertThat(framework.status()).isEqualTo(200);
            assertThat(framework.str("consent.state")).isEqualTo("GRANTED");
            assertSameAnswer(here, framework);
            assertThat(here.header("ETag")).isEqualTo("\"1\"");
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 1);

            // Refusals given at the write are answered here too, as the framework answers them.
            Map<String, String> stale = Map.of("If-Match", "\"7\"");
            framework = p.api().put(p.path(), unseen(p.id()), decision("REFUSED", 1), stale);
            here = p.api().put(p.path(), p.known(), decision("REFUSED", 1), stale);
            assertThat(framework.status()).isEqualTo(412);
            assertThat(framework.contentType()).startsWith("application/problem+json");
            assertSameAnswer(here, framework);
            String elsewhere = "/api/v1/me/consents/no-such-app-" + UUID.randomUUID().toString().substring(0, 8)
                    + "/STATISTICS";
            framework = p.api().put(elsewhere, unseen(p.id()), decision("GRANTED", 1));
            here = p.api().put(elsewhere, p.known(), decision("GRANTED", 1));
            assertThat(framework.status()).isEqualTo(404);
            assertSameAnswer(here, framework);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 3);

            // A change here, and what follows from it: withdrawing CARE withdraws the grant with it.
            here = p.api().put("/api/v1/me/consents/" + p.app() + "/CARE", p.known(), decision("WITHDRAWN", 1));
            assertThat(here.status()).isEqualTo(200);
            assertThat(here.list("cascaded")).extracting(c -> c.get("purpose").getStringValue())
                    .containsExactly("STATISTICS");
            assertThat(p.api().get("/api/v1/me/consents/history", p.known()).list("items"))
                    .as("the refusals wrote nothing").hasSize(4);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 4);
            assertThat(p.api().get("/prometheus", Tokens.METRICS).body())
                    .as("counted with the framework's requests").containsPattern(
                            "http_server_requests_seconds_count\\{exception=\"none\",method=\"PUT\",status=\"200\","
                                    + "uri=\"/api/v1/me/consents/\\{applicationId}/\\{purpose}\"} [0-9]+");
        }
    }

    @Test
    void what_is_not_a_known_patients_usual_change_is_the_frameworks_to_answer_and_a_refusal_changes_nothing() {
        try (TestService service = TestService.start(Databases.h2(), Map.of(
                "consent.limits.patient-changes.burst", 3, "consent.limits.patient-changes.per-second", 0.01))) {
            Patient p = Patient.of(service);
            double before = answeredAtTheConnection(service);

            Res badState = p.api().put(p.path(), p.known(), "{\"state\": \"MAYBE\", \"noticeVersion\": 1}");
            assertThat(badState.status()).isEqualTo(400);
            assertThat(badState.contentType()).startsWith("application/problem+json");
            assertThat(badState.body()).contains("\"field\":\"state\"");
            Res unknownKey = p.api().put(p.path(), p.known(), "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"x\": 1}");
            assertThat(unknownKey.status()).isEqualTo(400);
            assertThat(unknownKey.body()).contains("\"field\":\"x\"");
            Res unknownField = p.api().put(p.path(), p.known(),
                    "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"x\": \""
                    + "y".repeat(5_000) + "\"}");
            assertThat(unknownField.status()).isEqualTo(400);
            assertThat(p.api().put(p.path(), p.known(), "not json").status()).isEqualTo(400);
            Res badPurpose = p.api().put("/api/v1/me/consents/" + p.app() + "/NOPE", p.known(), decision("GRANTED", 1));
            assertThat(badPurpose.status()).isEqualTo(400);
            assertThat(badPurpose.body()).contains("\"field\":\"purpose\"");
            assertThat(p.api().put("/api/v1/me/consents/" + p.app() + "%2F/STATISTICS", p.known(),
                    decision("GRANTED", 1))
                    .status()).isEqualTo(404);
            assertThat(p.api().put(p.path(), p.known(), decision("GRANTED", 1), Map.of("Content-Type", "text/plain"))
                    .status())
                    .isEqualTo(415);
            assertThat(p.api().put(p.path(), p.known(), decision("GRANTED", 1), Map.of("If-Match", "three")).status())
                    .isEqualTo(400);
            String application = Tokens.application(p.app());
            assertThat(p.api().get("/api/v1/ping", application).status()).isEqualTo(200);
            assertThat(p.api().put(p.path(), application, decision("GRANTED", 1)).status())
                    .as("an application's token, known, is no patient's").isEqualTo(403);
            assertThat(p.api().put(p.path(), Tokens.sign(new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(p.id())
                    .claim("roles", java.util.List.of("PATIENT")).build(), "another-secret-of-at-least-32-bytes!!"),
                    decision("GRANTED", 1)).status()).isEqualTo(401);
            assertThat(p.api().get("/api/v1/me/consents/history", p.known()).list("items"))
                    .as("nothing written but CARE")
                    .hasSize(1);
            assertThat(answeredAtTheConnection(service)).as("none answered here").isEqualTo(before);

            // A query is the framework's to read; the change is made all the same.
            assertThat(p.api().put(p.path() + "?x=1", p.known(), decision("GRANTED", 1)).status()).isEqualTo(200);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before);
            // The patient's allowance (three changes here, CARE's the first): the third is answered
            // here, the fourth refused by the framework, with nothing taken or written.
            assertThat(p.api().put(p.path(), p.known(), decision("REFUSED", 1)).status()).isEqualTo(200);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 1);
            Res tooMany = p.api().put(p.path(), p.known(), decision("GRANTED", 1));
            assertThat(tooMany.status()).isEqualTo(429);
            assertThat(tooMany.header("Retry-After")).isNotNull();
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 1);
            assertThat(p.api().get("/api/v1/me/consents/history", p.known()).list("items")).hasSize(3);
        }
    }

    @Test
    void requests_sent_together_on_one_connection_are_answered_in_their_order() throws Exception {
        try (TestService service = TestService.start(Databases.h2())) {
            Patient p = Patient.of(service);
            double before = answeredAtTheConnection(service);
            try (Socket socket = new Socket(service.uri().getHost(), service.uri().getPort())) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                // A change taken here, and a request for the framework behind it: read once the change is written.
                out.write((put(p.path(), p.known(), decision("GRANTED", 1), "")
                        + get("/api/v1/me/consents/history", p.known()))
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(response(in)).startsWith("HTTP/1.1 200").contains("\"state\":\"GRANTED\"");
                assertThat(response(in)).startsWith("HTTP/1.1 200")
                        .contains("\"purpose\":\"STATISTICS\",\"state\":\"GRANTED\"");
                // A change behind a request of the framework's: answered after it, by the framework if
                // that request is not answered when the change is read, else here.
                out.write((get("/api/v1/ping", p.known()) + put(p.path(), p.known(), decision("REFUSED", 1), ""))
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(response(in)).startsWith("HTTP/1.1 200").doesNotContain("\"state\"");
                assertThat(response(in)).startsWith("HTTP/1.1 200").contains("\"state\":\"REFUSED\"");
                // Two If-Match headers: the framework's to read (it takes the first).
                out.write(put(p.path(), p.known(), decision("GRANTED", 1), "If-Match: \"2\"\r\nIf-Match: \"2\"\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(response(in)).startsWith("HTTP/1.1 200").contains("\"state\":\"GRANTED\"");
                // A refusal at the write, taken here, and the framework's request behind it.
                out.write((put(p.path(), p.known(), decision("WITHDRAWN", 1), "If-Match: \"2\"\r\n")
                        + get("/api/v1/ping", p.known())).getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(response(in)).startsWith("HTTP/1.1 412");
                assertThat(response(in)).startsWith("HTTP/1.1 200");
                // A body that comes after its headers, in a later read: taken here once it is whole.
                String split = put(p.path(), p.known(), decision("GRANTED", 1), "");
                int headers = split.indexOf("\r\n\r\n") + 4;
                out.write(split.substring(0, headers).getBytes(StandardCharsets.UTF_8));
                out.flush();
                out.write(split.substring(headers).getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(response(in)).startsWith("HTTP/1.1 200").contains("\"state\":\"GRANTED\"");
                // A body in chunks, of no declared length: the framework's.
                String json = decision("REFUSED", 1);
                out.write(("PUT " + p.path() + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + p.known()
                        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(json.length()) + "\r\n" + json + "\r\n0\r\n\r\n"
                        + get("/api/v1/ping", p.known())).getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(response(in)).startsWith("HTTP/1.1 200").contains("\"state\":\"REFUSED\"");
                assertThat(response(in)).startsWith("HTTP/1.1 200");
            }
            assertThat(answeredAtTheConnection(service)).isBetween(before + 3, before + 4);
        }
    }

    @Test
    void a_change_taken_is_written_even_when_its_connection_closes_before_the_answer() throws Exception {
        try (TestService service = TestService.start(Databases.h2())) {
            Patient p = Patient.of(service);
            double before = answeredAtTheConnection(service);
            try (Socket socket = new Socket(service.uri().getHost(), service.uri().getPort())) {
                socket.getOutputStream().write(put(p.path(), p.known(), decision("GRANTED", 1), "")
                        .getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
            }
            // Taken here: its answer is made (and counted) once written, then dropped.
            org.awaitility.Awaitility.await().until(() -> answeredAtTheConnection(service) == before + 1);
            assertThat(p.api().get("/api/v1/me/consents/history", p.known()).list("items")).hasSize(2);
            assertThat(p.api().get("/api/v1/me/consents/history", p.known()).str("items[0].state"))
                    .isEqualTo("GRANTED");
        }
    }

    @Test
    void what_the_framework_negotiates_is_its_own_and_a_representative_is_recorded_as_acting() throws Exception {
        try (TestService service = TestService.start(Databases.h2())) {
            Patient p = Patient.of(service);
            double before = answeredAtTheConnection(service);
            Res html = p.api().put(p.path(), p.known(), decision("GRANTED", 1), Map.of("Accept", "text/html"));
            assertThat(html.status()).isEqualTo(406);
            Res notGzip = p.api().put(p.path(), p.known(), decision("GRANTED", 1), Map.of("Content-Encoding", "gzip"));
            assertThat(notGzip.status()).as("a plain body labelled gzip").isEqualTo(400);
            assertThat(notGzip.body()).contains("\"field\":\"Content-Encoding\"");
            assertThat(p.api().get("/api/v1/me/consents/history", p.known()).list("items"))
                    .as("nothing written but CARE").hasSize(1);
            assertThat(p.api().put(p.path(), p.known(), decision("GRANTED", 1),
                    Map.of("Accept-Encoding", "gzip;q=0")).status()).isEqualTo(200);
            assertThat(p.api().put(p.path(), p.known(), decision("REFUSED", 1),
                    Map.of("Accept", "application/json, */*;q=0.1")).status()).isEqualTo(200);
            assertThat(answeredAtTheConnection(service)).as("none answered here").isEqualTo(before);

            // A representative's known token: taken here, and recorded as the representative's decision.
            String representative = Tokens.representative(p.id(), "rep-" + UUID.randomUUID().toString().substring(0, 8));
            assertThat(p.api().get("/api/v1/me/consents", representative).status()).isEqualTo(200);
            assertThat(p.api().put(p.path(), representative, decision("GRANTED", 1)).status()).isEqualTo(200);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 1);
            assertThat(p.api().get("/api/v1/me/consents/history", p.known()).str("items[0].decidedBy.type"))
                    .isEqualTo("REPRESENTATIVE");
            String themselves = Tokens.representative(p.id(), p.id());
            assertThat(p.api().get("/api/v1/ping", themselves).status()).isEqualTo(200);
            assertThat(p.api().put(p.path(), themselves, decision("REFUSED", 1)).status())
                    .as("a patient named as their own representative").isEqualTo(403);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 1);

            // A browser's list of codings, where the framework would choose gzip: taken here.
            assertThat(p.api().put(p.path(), p.known(), decision("REFUSED", 1),
                    Map.of("Accept-Encoding", "gzip, deflate, br, zstd")).status()).isEqualTo(200);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 2);
        }
    }

    @Test
    void a_large_answer_is_compressed_for_a_client_that_takes_gzip() throws Exception {
        try (TestService service = TestService.start(Databases.h2())) {
            Api api = service.api();
            String app = registerApplication(api, "STATISTICS", "SERVICE_IMPROVEMENT", "COMMERCIALISATION");
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            String[] bodies = new String[2];
            for (int i = 0; i < 2; i++) {
                String patient = newPatient();
                String token = known(api, patient, app);
                for (String purpose : new String[] {"STATISTICS", "SERVICE_IMPROVEMENT", "COMMERCIALISATION"}) {
                    decide(api, unseen(patient), app, purpose, "GRANTED");
                }
                double before = answeredAtTheConnection(service);
                // The framework's answer first (a token it has not seen), then one made here.
                java.net.http.HttpResponse<byte[]> withdrawn = client.send(java.net.http.HttpRequest.newBuilder(
                                service.uri().resolve("/api/v1/me/consents/" + app + "/CARE"))
                        .header("Authorization", "Bearer " + (i == 0 ? unseen(patient) : token))
                        .header("Content-Type", "application/json").header("Accept-Encoding", "gzip")
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(decision("WITHDRAWN", 1))).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertThat(withdrawn.statusCode()).isEqualTo(200);
                assertThat(withdrawn.headers().firstValue("Content-Encoding")).hasValue("gzip");
                assertThat(answeredAtTheConnection(service)).isEqualTo(before + i);
                bodies[i] = gunzip(withdrawn.body());
            }
            assertThat(bodies[0].length()).as("large enough to be compressed").isGreaterThan(1_024);
            // The same answer but for each patient's own times and erasures.
            assertThat(bodies[1].replaceAll("\"(updatedAt|owedSince|id)\":\"[^\"]*\"", ""))
                    .isEqualTo(bodies[0].replaceAll("\"(updatedAt|owedSince|id)\":\"[^\"]*\"", ""));
        }
    }

    @Test
    void a_failed_write_is_answered_as_the_framework_answers_it() throws Exception {
        try (TestService service = TestService.start(Databases.h2())) {
            ConsentChangeRequests requests = service.context().getBean(ConsentChangeRequests.class);
            JsonMapper json = service.context().getBean(JsonMapper.class);
            DatabaseUnavailableException down = new DatabaseUnavailableException(
                    new SQLTransientConnectionException("the pool timed out"));
            FullHttpResponse unavailable = requests.answer(null, new CompletionException(down), false,
                    System.nanoTime());
            io.micronaut.http.HttpResponse<health.consent.service.web.Problem> framework =
                    new health.consent.service.web.UnavailableHandler().handle(null, down);
            assertThat(unavailable.status().code()).isEqualTo(503);
            assertThat(unavailable.headers().get("Content-Type")).isEqualTo("application/problem+json");
            assertThat(unavailable.headers().get("Retry-After")).isEqualTo(framework.getHeaders().get("Retry-After"));
            assertThat(unavailable.content().toString(StandardCharsets.UTF_8))
                    .isEqualTo(json.writeValueAsString(framework.body()));
            assertThat(unavailable.headers().get("Cache-Control")).isEqualTo("no-store");
            unavailable.release();

            FullHttpResponse failed = requests.answer(null, new IllegalStateException("a fault"), false,
                    System.nanoTime());
            assertThat(failed.status().code()).isEqualTo(500);
            String body = failed.content().toString(StandardCharsets.UTF_8);
            assertThat(body).contains("An unexpected error occurred").doesNotContain("a fault");
            failed.release();
        }
    }

    @Test
    void the_connection_path_can_be_turned_off() {
        try (TestService service = TestService.start(Databases.h2(), Map.of("consent.changes.fast-path", false))) {
            Api api = service.api();
            String app = registerApplication(api, "STATISTICS");
            String known = known(api, newPatient(), app);
            assertThat(api.put("/api/v1/me/consents/" + app + "/STATISTICS", known, decision("GRANTED", 1)).status())
                    .isEqualTo(200);
            assertThat(api.get("/prometheus", Tokens.METRICS).body())
                    .doesNotContain("consent_changes_connection_answers");
        }
    }

    private static String put(String path, String token, String body, String headers) {
        return "PUT " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\n" + headers + "Content-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }
}
