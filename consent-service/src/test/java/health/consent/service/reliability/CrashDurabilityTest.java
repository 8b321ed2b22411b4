package health.consent.service.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.service.support.Databases;
import health.consent.service.support.ServiceProcess;
import health.consent.service.support.Tokens;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The service process is killed with SIGKILL in the middle of writes: every change and record it
 * acknowledged is there after a restart, and nothing is half-written.
 */
class CrashDurabilityTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static int send(URI base, String method, String path, String token, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String get(URI base, String path, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void every_acknowledged_write_survives_a_kill_and_none_is_half_written(String database) throws Exception {
        Map<String, String> environment = new HashMap<>();
        String jdbcUrl;
        String user;
        if ("H2".equals(database)) {
            Path dir = Files.createTempDirectory("consent-crash-");
            environment.put("CONSENT_DATA_DIR", dir.toString());
            environment.put("JDBC_URL", "");
            jdbcUrl = health.consent.service.Application.h2Url(dir);
            user = "sa";
        } else {
            Map<String, Object> pg = Databases.postgres();
            jdbcUrl = (String) pg.get("datasources.default.url");
            user = (String) pg.get("datasources.default.username");
            environment.put("JDBC_URL", jdbcUrl);
            environment.put("JDBC_USER", user);
            environment.put("JDBC_PASSWORD", "");
        }
        int port = freePort();
        String app = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        Set<String> acknowledgedPatients = ConcurrentHashMap.newKeySet();
        Set<String> acknowledgedRecords = ConcurrentHashMap.newKeySet();
        ServiceProcess first = ServiceProcess.start(environment, port);
        URI base = first.uri();
        assertThat(send(base, "POST", "/api/v1/applications", Tokens.admin(), "{\"id\": \"" + app + "\", \"name\": \"C\", "
                + "\"publisher\": \"P\", \"purposes\": [{\"purpose\": \"CARE\", \"noticeVersion\": 1, "
                + "\"notice\": {\"fr\": \"a\", \"en\": \"b\"}}]}")).isEqualTo(201);

        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService writers = Executors.newFixedThreadPool(6);
        for (int w = 0; w < 6; w++) {
            int writer = w;
            writers.submit(() -> {
                for (int i = 0; writing.get(); i++) {
                    String patient = "crash-" + writer + "-" + i;
                    if (send(base, "PUT", "/api/v1/me/consents/" + app + "/CARE", Tokens.patient(patient),
                            "{\"state\": \"GRANTED\", \"noticeVersion\": 1}") == 200) {
                        acknowledgedPatients.add(patient);
                    }
                    List<String> ids = new ArrayList<>();
                    StringBuilder batch = new StringBuilder("[");
                    for (int r = 0; r < 10; r++) {
                        String id = UUID.randomUUID().toString();
                        ids.add(id);
                        batch.append(r == 0 ? "" : ",").append("{\"id\": \"").append(id).append("\", \"patientId\": \"")
                                .append(patient).append("\", \"purpose\": \"CARE\", \"actor\": \"dr-x\", \"dataCategory\": ")
                                .append("\"vitals\", \"outcome\": \"PERMIT\", \"at\": \"").append(Instant.now()).append("\"}");
                    }
                    if (send(base, "POST", "/api/v1/access-records", Tokens.application(app), batch + "]") == 200) {
                        acknowledgedRecords.addAll(ids);
                    }
                }
            });
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledgedPatients.size() >= 60);
        first.kill();
        writing.set(false);
        writers.shutdown();
        assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        try (ServiceProcess second = ServiceProcess.start(environment, port)) {
            for (String patient : acknowledgedPatients) {
                assertThat(get(second.uri(), "/api/v1/decisions/" + patient + "/CARE", Tokens.application(app)))
                        .as("acknowledged grant of %s", patient).contains("\"PERMIT\"");
            }
            String page = get(second.uri(), "/api/v1/audit/access-records?applicationId=" + app + "&size=1&reason=Audit%20test%20of%20the%20trail",
                    Tokens.regulator());
            Matcher total = Pattern.compile("\"totalItems\":(\\d+)").matcher(page);
            assertThat(total.find()).isTrue();
            assertThat(Long.parseLong(total.group(1))).isGreaterThanOrEqualTo(acknowledgedRecords.size());
        }
        // Stopped: the database can now be read directly, H2 included.
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, "");
             Statement s = c.createStatement()) {
            for (String id : acknowledgedRecords) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM access_record WHERE id = '" + id + "'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("acknowledged record %s", id).isEqualTo(1);
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM consent c WHERE c.application_id = '" + app
                    + "' AND c.version <> (SELECT COUNT(*) FROM consent_event e WHERE e.patient_id = c.patient_id "
                    + "AND e.application_id = c.application_id AND e.purpose = c.purpose)")) {
                rs.next();
                assertThat(rs.getInt(1)).as("consents whose history does not match them").isZero();
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM consent_event e WHERE e.application_id = '" + app
                    + "' AND NOT EXISTS (SELECT 1 FROM consent c WHERE c.patient_id = e.patient_id "
                    + "AND c.application_id = e.application_id AND c.purpose = e.purpose)")) {
                rs.next();
                assertThat(rs.getInt(1)).as("events without their consent").isZero();
            }
        }
    }
}
