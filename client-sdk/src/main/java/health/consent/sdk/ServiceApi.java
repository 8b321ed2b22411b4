package health.consent.sdk;

import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The service's HTTP API, as the SDK uses it. Every failure is an exception; callers decide what it means. */
final class ServiceApi {

    /** The service could not give an answer: unreachable, timed out, 5xx, or refused the token. */
    static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** The service refused a request as invalid: sending it again would not help. */
    static final class Rejected extends Exception {
        Rejected(String message) {
            super(message, null, false, false);
        }
    }

    record Fetched(Decision decision, long version) {
    }

    record Change(long seq, String patientId, Purpose purpose, Decision decision, long version) {
    }

    record Changes(List<Change> changes, long next) {
    }

    private final HttpClient http;
    private final URI base;
    private final Supplier<String> token;
    private final Duration requestTimeout;

    ServiceApi(URI base, Supplier<String> token, Duration connectTimeout, Duration requestTimeout) {
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
        this.token = token;
        this.requestTimeout = requestTimeout;
    }

    Fetched decision(String patientId, Purpose purpose) throws Unavailable, Rejected {
        Map<String, Object> body = Json.object(send(get("api/v1/decisions/" + encode(patientId) + "/" + purpose.name(),
                requestTimeout)));
        return new Fetched(decision((String) body.get("decision"), (String) body.get("reason")),
                ((Number) body.get("version")).longValue());
    }

    Changes changes(Long after, int waitSeconds) throws Unavailable, Rejected {
        String path = after == null ? "api/v1/changes" : "api/v1/changes?after=" + after + "&wait=" + waitSeconds;
        Map<String, Object> body = Json.object(send(get(path, requestTimeout.plusSeconds(waitSeconds))));
        List<Change> changes = new ArrayList<>();
        for (Object o : (List<?>) body.get("changes")) {
            Map<?, ?> c = (Map<?, ?>) o;
            Object purpose = c.get("purpose");
            Object decision = c.get("decision");
            changes.add(new Change(((Number) c.get("seq")).longValue(), (String) c.get("patientId"),
                    purpose == null ? null : Purpose.valueOf((String) purpose),
                    decision == null ? null : decision((String) decision, (String) c.get("reason")),
                    ((Number) c.get("version")).longValue()));
        }
        return new Changes(changes, ((Number) body.get("next")).longValue());
    }

    List<String> filter(Purpose purpose, List<String> patientIds) throws Unavailable, Rejected {
        String json = Json.write(Map.of("purpose", purpose.name(), "patientIds", patientIds));
        Map<String, Object> body = Json.object(send(post("api/v1/decisions/filter", json)));
        List<String> permitted = new ArrayList<>();
        for (Object id : (List<?>) body.get("permitted")) {
            permitted.add((String) id);
        }
        return permitted;
    }

    void record(List<Map<String, Object>> records) throws Unavailable, Rejected {
        send(post("api/v1/access-records", Json.write(records)));
    }

    private HttpRequest get(String path, Duration timeout) {
        return authorized(HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET());
    }

    private HttpRequest post(String path, String json) {
        return authorized(HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpRequest authorized(HttpRequest.Builder builder) {
        return builder.header("Authorization", "Bearer " + token.get()).header("Accept", "application/json").build();
    }

    private String send(HttpRequest request) throws Unavailable, Rejected {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable(request.uri().getPath() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", e);
        }
        int status = response.statusCode();
        if (status == 200) {
            return response.body();
        }
        if (status == 400 || status == 413 || status == 422) {
            throw new Rejected(request.uri().getPath() + " answered " + status + ": " + response.body());
        }
        // 401 and 403 are the application's token (expired, not yet renewed); 404 a service starting or
        // stopping behind a proxy; 5xx and the rest the service itself. All may pass: try again later.
        throw new Unavailable(request.uri().getPath() + " answered " + status, null);
    }

    private static Decision decision(String outcome, String reason) {
        Decision d = Decision.of(Reason.valueOf(reason));
        if (d.outcome() != Outcome.valueOf(outcome)) {
            throw new IllegalArgumentException("inconsistent decision " + outcome + " " + reason);
        }
        return d;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
