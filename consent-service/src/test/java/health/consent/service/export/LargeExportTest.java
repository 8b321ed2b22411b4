package health.consent.service.export;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Databases;
import health.consent.service.support.ServiceProcess;
import health.consent.service.support.Tokens;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export is written as it is read: a patient with 200,000 access records is exported, whole and
 * valid, by a service whose heap is 128 MB (the records alone, as JSON, weigh more than a third of it).
 */
class LargeExportTest {

    private static final int RECORDS = 200_000;

    @TempDir
    Path dir;

    @Test
    void a_patient_with_200000_access_records_is_exported_whole_by_a_service_with_a_128_mb_heap() throws Exception {
        Map<String, Object> database = Databases.postgres();
        String url = (String) database.get("datasources.default.url");
        String user = (String) database.get("datasources.default.username");
        String password = (String) database.get("datasources.default.password");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (ServiceProcess service = ServiceProcess.start(Map.of("JDBC_URL", url, "JDBC_USER", user,
                "JDBC_PASSWORD", password), port, List.of("-Xmx128m"))) {
            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
                s.execute("INSERT INTO application (id, name, publisher, status, registered_at) "
                        + "VALUES ('big-app', 'Big', 'Bench', 'ACTIVE', now() - interval '30 days')");
                s.execute("INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, "
                        + "outcome, at, received_at, accessor_type, salt, batch_id, leaf_position) SELECT 'big-app', "
                        + "md5(g::text)::uuid::text, 'p-big', 'CARE', 'dr-' || (g % 50), 'vitals', 'PERMIT', "
                        + "now() - g * interval '1 second', now(), 'APPLICATION', md5(g::text) || md5((g + 1)::text), "
                        // Of a batch that is not stored: the export does not need the log.
                        + "0, g FROM generate_series(1, " + RECORDS + ") g");
            }
            Path file = dir.resolve("export.json");
            HttpResponse<Path> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(service.uri() + "/api/v1/me/export"))
                    .header("Authorization", "Bearer " + Tokens.patient("p-big")).build(),
                    HttpResponse.BodyHandlers.ofFile(file));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(Files.size(file)).as("more than a third of the service's heap").isGreaterThan(48L * 1024 * 1024);
            JsonNode export;
            try (InputStream in = Files.newInputStream(file)) {
                export = JsonMapper.createDefault().readValue(in, JsonNode.class);
            }
            assertThat(export.get("patientId").getStringValue()).isEqualTo("p-big");
            assertThat(export.get("accessLog").size()).isEqualTo(RECORDS);
            assertThat(export.get("accessLog").get(RECORDS - 1).get("actor").getStringValue()).startsWith("dr-");
            assertThat(service.isAlive()).as("the service is still up").isTrue();
        }
    }
}
