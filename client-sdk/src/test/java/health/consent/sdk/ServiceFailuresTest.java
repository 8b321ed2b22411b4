package health.consent.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.wire.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a small HTTP service that misbehaves as an attack found real ones can: a
 * clock far from the host's, one bad record in a batch, a feed whose head went back. The service
 * is a plain socket, so that it can send any {@code Date} it likes.
 */
class ServiceFailuresTest {

    private ServerSocket server;
    private Thread serving;
    private final List<Map<String, Object>> stored = new CopyOnWriteArrayList<>();
    private final AtomicInteger decisionRequests = new AtomicInteger();
    private final AtomicInteger cohortRequests = new AtomicInteger();
    private final AtomicInteger filterRequests = new AtomicInteger();
    private final AtomicLong head = new AtomicLong(100);
    /** The service's clock, ten minutes ahead of the host's. */
    private static final Duration SERVICE_AHEAD = Duration.ofMinutes(10);

    /** An answer: a status and a JSON body. */
    private record Answer(int status, String body) {
    }

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        serving = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    serve(socket);
                } catch (IOException e) {
                    // Closed by stop(), or a client gone: either way, on to the next.
                }
            }
        });
        serving.setDaemon(true);
        serving.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private void serve(Socket socket) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String[] requestLine = in.readLine().split(" ");
        int length = 0;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        char[] body = new char[length];
        for (int read = 0; read < length; ) {
            read += in.read(body, read, length - read);
        }
        String path = requestLine[1];
        Answer answer = path.startsWith("/api/v1/decisions/cohort") ? olderService()
                : path.startsWith("/api/v1/decisions/filter") ? filter(new String(body))
                : path.startsWith("/api/v1/decisions/") ? decision()
                : path.startsWith("/api/v1/access-records") ? records(new String(body))
                : changes(path.contains("?") ? path.substring(path.indexOf('?') + 1) : null);
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 " + answer.status() + " X\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\nDate: " + DateTimeFormatter.RFC_1123_DATE_TIME
                .format(Instant.now().plus(SERVICE_AHEAD).atOffset(ZoneOffset.UTC)) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private Answer decision() {
        decisionRequests.incrementAndGet();
        return new Answer(200, "{\"decision\":\"PERMIT\",\"reason\":\"GRANTED\",\"version\":1}");
    }

    /** A service older than the text path for cohorts: it has no such route. */
    private Answer olderService() {
        cohortRequests.incrementAndGet();
        return new Answer(404, "{\"status\":404}");
    }

    /** The JSON filter, at most 10,000 ids: the ids starting with "ok-" permit. */
    private Answer filter(String json) {
        List<?> ids = (List<?>) ((Map<?, ?>) Json.parse(json)).get("patientIds");
        filterRequests.incrementAndGet();
        if (ids.size() > 10_000) {
            return new Answer(400, "{\"errors\":[{\"field\":\"patientIds\",\"message\":\"at most 10000\"}]}");
        }
        return new Answer(200, Json.write(Map.of("permitted",
                ids.stream().filter(id -> ((String) id).startsWith("ok-")).toList())));
    }

    private ConsentClientBuilder client() {
        return ConsentClient.builder().baseUrl("http://127.0.0.1:" + server.getLocalPort()).token("t")
                .accessRecordFlushInterval(Duration.ofMillis(50));
    }

    /** Refuses a batch whole when a record's actor asks for it, naming that record's field, as the service does. */
    private Answer records(String json) {
        List<?> batch = (List<?>) Json.parse(json);
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if ("refuse-me".equals(((Map<?, ?>) batch.get(i)).get("actor"))) {
                errors.add("{\"field\":\"[" + i + "].at\",\"message\":\"is before the application was registered\"}");
            }
        }
        if (!errors.isEmpty()) {
            return new Answer(400, "{\"type\":\"urn:consent:problem:invalid-request\",\"status\":400,\"errors\":["
                    + String.join(",", errors) + "]}");
        }
        batch.forEach(r -> stored.add(cast(r)));
        return new Answer(200, "{\"received\":" + batch.size() + ",\"stored\":" + batch.size() + "}");
    }

    /** A feed that answers at once; a position beyond its head gets a reset. */
    private Answer changes(String query) {
        long h = head.get();
        if (query == null) {
            return new Answer(200, "{\"changes\":[],\"next\":" + h + ",\"reset\":false}");
        }
        long after = Long.parseLong(query.replaceAll(".*after=(\\d+).*", "$1"));
        return new Answer(200, "{\"changes\":[],\"next\":" + h + ",\"reset\":" + (after > h) + "}");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void a_refused_record_is_set_aside_the_rest_of_its_batch_is_delivered_and_the_application_is_told() {
        List<RejectedAccess> rejected = new CopyOnWriteArrayList<>();
        try (ConsentClient client = client().followChanges(false).accessRecordBatchSize(10).build()) {
            client.addRejectionListener(rejected::add);
            client.recordAccess("p-1", Purpose.CARE, AccessContext.of("analyst", "vitals"), Outcome.PERMIT);
            client.recordAccess("p-2", Purpose.CARE, AccessContext.of("refuse-me", "vitals"), Outcome.PERMIT);
            client.recordAccess("p-3", Purpose.CARE, AccessContext.of("analyst", "vitals"), Outcome.PERMIT);
        }
        assertThat(stored).extracting(r -> r.get("patientId")).containsExactlyInAnyOrder("p-1", "p-3");
        assertThat(rejected).singleElement().satisfies(r -> {
            assertThat(r.record().patientId()).isEqualTo("p-2");
            assertThat(r.problem()).contains("at").contains("registered");
        });
    }

    @Test
    void records_are_dated_by_the_services_clock_once_it_is_known() {
        try (ConsentClient client = client().followChanges(false).build()) {
            client.check("p-1", Purpose.CARE);
            client.recordAccess("p-1", Purpose.CARE, AccessContext.of("analyst", "vitals"), Outcome.PERMIT);
        }
        Instant at = Instant.parse((String) stored.get(0).get("at"));
        assertThat(at).isCloseTo(Instant.now().plus(SERVICE_AHEAD), within(30, ChronoUnit.SECONDS));
    }

    @Test
    void a_feed_position_beyond_the_head_empties_the_cache_and_starts_again() throws InterruptedException {
        try (ConsentClient client = client().build()) {
            while (client.status() != ClientStatus.VALID) {
                Thread.onSpinWait();
            }
            client.check("p-1", Purpose.CARE);
            client.check("p-1", Purpose.CARE);
            assertThat(decisionRequests).as("the second check is answered from the cache").hasValue(1);
            head.set(5);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (decisionRequests.get() < 2 && System.nanoTime() < deadline) {
                client.check("p-1", Purpose.CARE);
                Thread.sleep(20);
            }
            assertThat(decisionRequests.get()).as("the cache was emptied, so the service is asked again")
                    .isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void against_a_service_without_the_text_path_cohorts_go_by_the_json_one_ten_thousand_ids_at_a_time() {
        List<String> cohort = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25_000; i++) {
            String id = (i % 7 == 0 ? "ok-" : "no-") + (25_000 - i);
            cohort.add(id);
            if (id.startsWith("ok-")) {
                expected.add(id);
            }
        }
        try (ConsentClient client = client().followChanges(false).build()) {
            assertThat(client.filterPermitted(Purpose.STATISTICS, cohort)).containsExactlyElementsOf(expected);
            assertThat(filterRequests).hasValue(3);
            assertThat(client.filterPermitted(Purpose.STATISTICS, cohort.subList(0, 10))).containsExactly("ok-25000", "ok-24993");
        }
        assertThat(cohortRequests).as("the text path was tried once, then the client knew").hasValue(1);
        assertThat(filterRequests).hasValue(4);
    }
}
