package health.consent.service.feed;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static health.consent.service.support.RawHttp.get;
import static health.consent.service.support.RawHttp.gunzip;
import static health.consent.service.support.RawHttp.response;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.model.wire.FeedChange;
import health.consent.model.wire.FeedPage;
import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The long poll answered where the connection is read: the same answers as the framework's, for
 * the hot case only; everything else is the framework's; pipelined requests keep their order.
 */
class ChangesRequestsTest {

    private static double answeredAtTheConnection(TestService service) {
        return service.metric("consent_feed_connection_answers_total");
    }

    private static void awaitOneWaiting(TestService service) {
        org.awaitility.Awaitility.await().until(() -> service.metric("consent_feed_waiting") == 1);
    }

    /**
     * The feed's head once this instance has handed out every change up to it: from then on, a poll
     * from there is the connection's to answer. (Before its first pass, an instance's memory starts
     * nowhere, and its head has no value; a first pass that comes late would start it after the
     * changes a test just made.)
     */
    private static long handedOut(TestService service, Api api, String token) {
        long[] head = new long[1];
        org.awaitility.Awaitility.await().until(() -> {
            head[0] = api.get("/api/v1/changes", token).num("next");
            return service.metric("consent_feed_head") >= head[0];
        });
        return head[0];
    }

    private static TreeSet<String> headerNames(Res res) {
        return res.headers().keySet().stream().map(String::toLowerCase).filter(h -> !h.startsWith(":"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void a_known_applications_long_poll_is_answered_at_the_connection_as_the_framework_answers_it() throws Exception {
        try (TestService service = TestService.start(Databases.h2())) {
            Api api = service.api();
            String app = registerApplication(api);
            String token = Tokens.application(app);
            long from = handedOut(service, api, token);
            String patient = newPatient();
            decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
            org.awaitility.Awaitility.await().until(() ->
                    api.get("/api/v1/changes?wait=0&after=" + from, token).list("changes").size() == 1);
            handedOut(service, api, token);
            double before = answeredAtTheConnection(service);

            // The token's first request is the framework's (it validates the token); the same again is answered here.
            Res framework = api.get("/api/v1/changes?wait=0&after=" + from, Tokens.custom(app, "APPLICATION",
                    c -> c.claim("nonce", "first")));
            String known = Tokens.custom(app, "APPLICATION", c -> c.claim("nonce", "second"));
            Res first = api.get("/api/v1/changes?wait=0&after=" + from, known);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before);
            Res here = api.get("/api/v1/changes?wait=0&after=" + from, known);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 1);
            assertThat(here.status()).isEqualTo(200);
            assertThat(here.body()).isEqualTo(framework.body()).isEqualTo(first.body());
            assertThat(here.list("changes")).extracting(c -> c.get("patientId").getStringValue()).containsExactly(patient);
            assertThat(headerNames(here)).isEqualTo(headerNames(framework));
            assertThat(here.contentType()).isEqualTo(framework.contentType());
            assertThat(here.header("Cache-Control")).isEqualTo("no-store");
            assertThat(here.header("Content-Security-Policy")).isEqualTo(framework.header("Content-Security-Policy"));

            // A waiting poll, answered here when the change comes.
            long next = here.num("next");
            CompletableFuture<Res> held = api.getAsync("/api/v1/changes?wait=25&after=" + next, known);
            String other = newPatient();
            awaitOneWaiting(service);
            decide(api, Tokens.patient(other), app, "CARE", "GRANTED");
            Res answer = held.get(20, TimeUnit.SECONDS);
            assertThat(answer.list("changes")).extracting(c -> c.get("patientId").getStringValue()).containsExactly(other);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 2);
            assertThat(api.get("/prometheus", Tokens.METRICS).body())
                    .as("counted with the framework's requests").containsPattern(
                            "http_server_requests_seconds_count\\{exception=\"none\",method=\"GET\",status=\"200\","
                                    + "uri=\"/api/v1/changes\"} [0-9]+");
        }
    }

    @Test
    void what_is_not_a_known_applications_poll_from_memory_is_the_frameworks_to_answer() {
        try (TestService service = TestService.start(Databases.h2(), Map.of("consent.feed.max-waits-per-application", 1))) {
            Api api = service.api();
            String app = registerApplication(api);
            String token = Tokens.application(app);
            long from = handedOut(service, api, token);
            String patient = newPatient();
            String patientToken = Tokens.patient(patient);
            assertThat(api.get("/api/v1/me/consents", patientToken).status()).isEqualTo(200);
            double before = answeredAtTheConnection(service);

            Res forged = api.get("/api/v1/changes?wait=0&after=" + from,
                    Tokens.sign(new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(app)
                            .claim("roles", List.of("APPLICATION")).build(), "another-secret-of-at-least-32-bytes!!"));
            assertThat(forged.status()).isEqualTo(401);
            Res patientAsking = api.get("/api/v1/changes?wait=0&after=" + from, patientToken);
            assertThat(patientAsking.status()).as("a patient's token, known, is no application's").isEqualTo(403);
            Res badWait = api.get("/api/v1/changes?wait=31&after=" + from, token);
            assertThat(badWait.status()).isEqualTo(400);
            assertThat(badWait.contentType()).startsWith("application/problem+json");
            assertThat(badWait.body()).contains("wait");
            Res negative = api.get("/api/v1/changes?wait=0&after=-1", token);
            assertThat(negative.status()).isEqualTo(400);
            assertThat(negative.body()).contains("after");
            assertThat(api.get("/api/v1/changes?wait=0", token).status()).isEqualTo(200);
            CompletableFuture<Res> waiting = api.getAsync("/api/v1/changes?wait=25&after=" + from, token);
            awaitOneWaiting(service);
            Res beyondTheCap = api.get("/api/v1/changes?wait=25&after=" + from, token);
            assertThat(beyondTheCap.status()).isEqualTo(429);
            assertThat(beyondTheCap.header("Retry-After")).isEqualTo("1");
            assertThat(answeredAtTheConnection(service)).as("only the waiting poll was answered here").isEqualTo(before);
            decide(api, patientToken, app, "CARE", "GRANTED");
            assertThat(waiting.join().status()).isEqualTo(200);
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 1);
        }
    }

    @Test
    void requests_sent_together_on_one_connection_are_answered_in_their_order() throws Exception {
        try (TestService service = TestService.start(Databases.h2())) {
            Api api = service.api();
            String app = registerApplication(api);
            String token = Tokens.application(app);
            long from = handedOut(service, api, token);
            try (Socket socket = new Socket(service.uri().getHost(), service.uri().getPort())) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                // A long poll that waits here, then a request for the framework behind it.
                out.write((get("/api/v1/changes?wait=25&after=" + from, token) + get("/api/v1/ping", token))
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String patient = newPatient();
                awaitOneWaiting(service);
                decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
                assertThat(response(in)).contains("\"patientId\":\"" + patient + "\"");
                assertThat(response(in)).doesNotContain("changes");
                // The framework's request first, then a poll that memory could answer: still in that order.
                out.write((get("/api/v1/ping", token) + get("/api/v1/changes?wait=0&after=" + from, token))
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(response(in)).doesNotContain("changes");
                assertThat(response(in)).contains("\"patientId\":\"" + patient + "\"");
                // A query that cannot be decoded is the framework's to refuse, on a connection that stays usable.
                out.write((get("/api/v1/changes?after=0&wait=%zz", token) + get("/api/v1/ping", token))
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(response(in)).startsWith("HTTP/1.1 4");
                assertThat(response(in)).startsWith("HTTP/1.1 200");
                // Many requests behind a waiting poll: all answered, in order, and the connection reads on.
                long head = api.get("/api/v1/changes", token).num("next");
                StringBuilder many = new StringBuilder(get("/api/v1/changes?wait=25&after=" + head, token));
                for (int i = 0; i < 40; i++) {
                    many.append(get("/api/v1/ping", token));
                }
                out.write(many.toString().getBytes(StandardCharsets.US_ASCII));
                out.flush();
                awaitOneWaiting(service);
                String later = newPatient();
                decide(api, Tokens.patient(later), app, "CARE", "GRANTED");
                assertThat(response(in)).contains("\"patientId\":\"" + later + "\"");
                for (int i = 0; i < 40; i++) {
                    assertThat(response(in)).startsWith("HTTP/1.1 200").doesNotContain("changes");
                }
                // An address with a fragment (or anything unusual) is the framework's to judge.
                double answered = answeredAtTheConnection(service);
                out.write(get("/api/v1/changes?wait=0&after=0#x", token).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(response(in)).startsWith("HTTP/1.1 ");
                assertThat(answeredAtTheConnection(service)).isEqualTo(answered);
                // A request the HTTP decoder could not read whole is the framework's too.
                out.write(("GET /api/v1/changes?wait=0&after=" + from + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Authorization: Bearer " + token + "\r\nContent-Length: x\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(response(in)).startsWith("HTTP/1.1 400");
            }
        }
    }

    @Test
    void a_large_answer_is_compressed_as_the_framework_compresses_it_and_a_closed_connection_stops_waiting()
            throws Exception {
        try (TestService service = TestService.start(Databases.h2())) {
            Api api = service.api();
            String app = registerApplication(api);
            String token = Tokens.application(app);
            long from = handedOut(service, api, token);
            for (int i = 0; i < 12; i++) {
                decide(api, Tokens.patient(newPatient()), app, "CARE", "GRANTED");
            }
            org.awaitility.Awaitility.await().until(() ->
                    api.get("/api/v1/changes?wait=0&after=" + from, token).list("changes").size() == 12);
            handedOut(service, api, token);
            double before = answeredAtTheConnection(service);
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpRequest gzip = java.net.http.HttpRequest.newBuilder(
                            service.uri().resolve("/api/v1/changes?wait=0&after=" + from))
                    .header("Authorization", "Bearer " + Tokens.custom(app, "APPLICATION", c -> c.claim("n", "z")))
                    .header("Accept-Encoding", "gzip").build();
            java.net.http.HttpResponse<byte[]> framework = client.send(gzip,
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            java.net.http.HttpResponse<byte[]> here = client.send(gzip,
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(answeredAtTheConnection(service)).isEqualTo(before + 1);
            assertThat(here.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(framework.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(gunzip(here.body())).isEqualTo(gunzip(framework.body())).contains("\"changes\"");

            try (Socket socket = new Socket(service.uri().getHost(), service.uri().getPort())) {
                long head = api.get("/api/v1/changes", token).num("next");
                // A poll of this form on this connection is taken where the connection is read...
                socket.getOutputStream().write(get("/api/v1/changes?wait=0&after=" + head, token)
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                assertThat(response(socket.getInputStream())).startsWith("HTTP/1.1 200");
                assertThat(answeredAtTheConnection(service)).isEqualTo(before + 2);
                // ...and so is the same poll waiting, which the closing connection must stop.
                socket.getOutputStream().write(get("/api/v1/changes?wait=25&after=" + head, token)
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                awaitOneWaiting(service);
            }
            org.awaitility.Awaitility.await().until(() -> service.metric("consent_feed_waiting") == 0);
            assertThat(answeredAtTheConnection(service)).as("nobody to answer").isEqualTo(before + 2);
        }
    }

    @Test
    void the_connection_path_can_be_turned_off() throws Exception {
        try (TestService service = TestService.start(Databases.h2(), Map.of("consent.feed.fast-path", false))) {
            Api api = service.api();
            String app = registerApplication(api);
            String token = Tokens.application(app);
            long from = handedOut(service, api, token);
            CompletableFuture<Res> held = api.getAsync("/api/v1/changes?wait=25&after=" + from, token);
            awaitOneWaiting(service);
            String patient = newPatient();
            decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
            assertThat(held.get(20, TimeUnit.SECONDS).list("changes")).hasSize(1);
            assertThat(api.get("/prometheus", Tokens.METRICS).body()).doesNotContain("consent_feed_connection_answers");
        }
    }

    @Test
    void a_page_handed_to_many_waiters_is_encoded_once_and_each_gets_the_encoding_it_asked_for() throws Exception {
        try (TestService service = TestService.start(Databases.h2())) {
            ChangesRequests requests = service.context().getBean(ChangesRequests.class);
            List<FeedChange> changes = java.util.stream.IntStream.range(0, 12).mapToObj(i -> new FeedChange(i + 1,
                    "patient-" + i, Purpose.STATISTICS, Outcome.DENY, Reason.WITHDRAWN, 2)).toList();
            FeedPage shared = new FeedPage(changes, 12);
            String json = service.context().getBean(io.micronaut.json.JsonMapper.class).writeValueAsString(shared);
            assertThat(json.length()).as("large enough to be compressed").isGreaterThan(1_024);

            byte[] zipped = requests.encode(shared, true).bytes;
            assertThat(requests.encode(shared, true).bytes).as("encoded once").isSameAs(zipped);
            assertThat(gunzip(zipped)).isEqualTo(json);
            // The next waiter of the same page does not take gzip: the plain JSON, then gzip again.
            ChangesRequests.Encoded plain = requests.encode(shared, false);
            assertThat(plain.compressed).isFalse();
            assertThat(new String(plain.bytes, StandardCharsets.UTF_8)).isEqualTo(json);
            assertThat(gunzip(requests.encode(shared, true).bytes)).isEqualTo(json);
            // Another page, equal but not the same: encoded for itself.
            FeedPage other = new FeedPage(changes, 12);
            assertThat(requests.encode(other, true).bytes).isNotSameAs(zipped);
            assertThat(gunzip(requests.encode(other, true).bytes)).isEqualTo(json);
            FeedPage small = FeedPage.empty(13);
            ChangesRequests.Encoded empty = requests.encode(small, true);
            assertThat(empty.compressed).as("under 1 KB, sent as it is").isFalse();
            assertThat(new String(empty.bytes, StandardCharsets.UTF_8)).contains("\"next\":13");

            String before = io.netty.handler.codec.DateFormatter.format(new java.util.Date());
            String date = health.consent.service.web.ConnectionAnswers.Now.header().toString();
            String after = io.netty.handler.codec.DateFormatter.format(new java.util.Date());
            assertThat(date).as("the second it is (read between two clocks)").isIn(before, after);
        }
    }
}
