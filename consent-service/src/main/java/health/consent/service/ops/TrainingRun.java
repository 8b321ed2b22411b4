package health.consent.service.ops;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The training run of {@code bin/consent-service} ({@code CONSENT_TRAINING_RUN} set, in the dev
 * environment on a throw-away H2 database): once started, the service sends itself the requests of
 * an ordinary day (the page, a token, a patient's consents and change, an application's decision,
 * an access record, the health and the log's checkpoint), then stops, so that the JVM's class-data
 * archive holds the classes those requests load as well as those of start-up.
 */
public final class TrainingRun {

    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    private static final String APP = "glycemie-plus";
    private static final String PATIENT = "patient-42";

    private TrainingRun() {
    }

    /** True when this start is the training run. */
    public static boolean requested() {
        String value = System.getenv("CONSENT_TRAINING_RUN");
        return value != null && !value.isBlank();
    }

    /** Sends the requests, stops the service and ends the JVM (which writes the archive). */
    public static void exercise(ApplicationContext context) {
        int status = 0;
        try {
            URI base = context.getBean(EmbeddedServer.class).getURI();
            HttpClient http = HttpClient.newHttpClient();
            for (String page : new String[] {"/", "/app.js", "/app.css", "/common.js", "/regulator/", "/health"}) {
                send(http, base, "GET", page, null, null);
            }
            String patient = token(http, base, "{\"subject\": \"" + PATIENT + "\", \"roles\": [\"PATIENT\"]}");
            String app = token(http, base, "{\"subject\": \"" + APP + "\", \"roles\": [\"APPLICATION\"]}");
            String regulator = token(http, base, "{\"subject\": \"regulator-1\", \"roles\": [\"REGULATOR\"]}");
            send(http, base, "GET", "/api/v1/me/consents", patient, null);
            send(http, base, "PUT", "/api/v1/me/consents/" + APP + "/CARE", patient,
                    "{\"state\": \"GRANTED\", \"noticeVersion\": 1}");
            send(http, base, "GET", "/api/v1/decisions/" + PATIENT + "/CARE", app, null);
            send(http, base, "POST", "/api/v1/access-records", app, "[{\"id\": \"00000000-0000-4000-8000-000000000001\", "
                    + "\"patientId\": \"" + PATIENT + "\", \"purpose\": \"CARE\", \"actor\": \"dr-training\", "
                    + "\"dataCategory\": \"vitals\", \"outcome\": \"PERMIT\", \"at\": \""
                    + java.time.Instant.now().minusSeconds(1) + "\"}]");
            send(http, base, "GET", "/api/v1/changes?after=0", app, null);
            send(http, base, "GET", "/api/v1/me/access-log", patient, null);
            send(http, base, "GET", "/api/v1/audit/checkpoints/latest", regulator, null);
            send(http, base, "GET", "/log/checkpoint", null, null);
        } catch (IOException | RuntimeException e) {
            System.err.println("The training run failed: " + e);
            status = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 1;
        } finally {
            context.close();
        }
        System.exit(status);
    }

    private static String token(HttpClient http, URI base, String body) throws IOException, InterruptedException {
        Matcher m = TOKEN.matcher(send(http, base, "POST", "/dev/tokens", null, body));
        if (!m.find()) {
            throw new IllegalStateException("no development token");
        }
        return m.group(1);
    }

    private static String send(HttpClient http, URI base, String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode());
        }
        return response.body();
    }
}
