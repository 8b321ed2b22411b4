package health.consent.sdk;

import health.consent.model.Purpose;
import health.consent.model.wire.AccessReport;
import health.consent.model.wire.DecisionAnswer;
import health.consent.model.wire.FeedPage;
import health.consent.model.wire.IdLines;
import health.consent.model.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The service's HTTP API, as the client uses it. Bodies are read and written with the model's
 * wire records, which the service uses too. Every failure is an exception; the client decides
 * what it means.
 */
final class HttpConnection implements ServiceConnection {

    private final HttpClient http;
    private final URI base;
    private final Supplier<String> token;
    private final Duration requestTimeout;
    private volatile long clockOffsetMillis;
    /** Whether the service lacked the text path for cohorts (an older one has only the JSON path), and since when. */
    private volatile boolean jsonPath;
    private volatile long jsonPathSince;
    /** How long cohorts go by the JSON path before the text path is tried again. */
    private static final long TEXT_PATH_RETRY_NANOS = 600_000_000_000L;
    /** The most ids the JSON path takes in one request. */
    private static final int JSON_FILTER_IDS = 10_000;

    HttpConnection(URI base, Supplier<String> token, Duration connectTimeout, Duration requestTimeout) {
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
        this.token = token;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public DecisionAnswer decision(String patientId, Purpose purpose) throws Unavailable, Rejected {
        return DecisionAnswer.fromJson(send(get("api/v1/decisions/" + encode(patientId) + "/" + purpose.name(),
                requestTimeout)));
    }

    @Override
    public String decisionReceipt(String patientId, Purpose purpose) throws Unavailable, Rejected {
        Object receipt = Json.object(send(get("api/v1/decisions/" + encode(patientId) + "/" + purpose.name()
                + "?receipt=true", requestTimeout))).get("receipt");
        if (!(receipt instanceof String jws)) {
            throw new Unavailable("the service answered no receipt", null);
        }
        return jws;
    }

    @Override
    public String receiptKey() throws Unavailable, Rejected {
        return send(get("api/v1/audit/receipt-key", requestTimeout));
    }

    @Override
    public void confirmPurge(String purgeId) throws Unavailable, Rejected {
        send(post("api/v1/purges/" + encode(purgeId) + "/confirmation", "{}"));
    }

    @Override
    public List<PurgeRequest> pendingPurges() throws Unavailable, Rejected {
        List<PurgeRequest> pending = new ArrayList<>();
        for (int page = 0; ; page++) {
            Map<String, Object> body = Json.object(send(get("api/v1/purges?size=200&page=" + page, requestTimeout)));
            List<?> items = (List<?>) body.get("items");
            for (Object o : items) {
                Map<?, ?> p = (Map<?, ?>) o;
                pending.add(new PurgeRequest((String) p.get("id"), (String) p.get("patientId"),
                        Purpose.valueOf((String) p.get("purpose"))));
            }
            if (items.size() < 200) {
                return pending;
            }
        }
    }

    @Override
    public FeedPage changes(Long after, int waitSeconds) throws Unavailable, Rejected {
        String path = after == null ? "api/v1/changes" : "api/v1/changes?after=" + after + "&wait=" + waitSeconds;
        return FeedPage.fromJson(send(get(path, requestTimeout.plusSeconds(waitSeconds))));
    }

    @Override
    public List<String> filter(Purpose purpose, List<String> patientIds) throws Unavailable, Rejected {
        if (!jsonPath || System.nanoTime() - jsonPathSince > TEXT_PATH_RETRY_NANOS) {
            HttpRequest request = authorized(HttpRequest.newBuilder(base.resolve("api/v1/decisions/cohort?purpose="
                    + purpose.name())).timeout(requestTimeout).header("Content-Type", "text/plain; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(IdLines.encode(patientIds))), "text/plain");
            HttpResponse<String> response = exchange(request);
            if (response.statusCode() != 404 && response.statusCode() != 405) {
                return permittedLines(check(request, response), patientIds);
            }
            // A service older than the text path (or one restarting behind a proxy): the JSON one,
            // 10,000 ids at a time, for some minutes.
            jsonPathSince = System.nanoTime();
            jsonPath = true;
        }
        List<String> permitted = new ArrayList<>();
        for (int from = 0; from < patientIds.size(); from += JSON_FILTER_IDS) {
            List<String> chunk = patientIds.subList(from, Math.min(patientIds.size(), from + JSON_FILTER_IDS));
            String json = Json.write(Map.of("purpose", purpose.name(), "patientIds", chunk));
            for (Object id : (List<?>) Json.object(send(post("api/v1/decisions/filter", json))).get("permitted")) {
                permitted.add((String) id);
            }
        }
        return permitted;
    }

    /**
     * The ids of a cohort's answer, one per line. The service answers them in the order they were
     * asked, so each is found by walking beside {@code asked} and the asked id itself is returned: a
     * million ids' answers make no new strings. A line not found that way is returned as it is.
     */
    static List<String> permittedLines(String answer, List<String> asked) {
        List<String> permitted = new ArrayList<>();
        int j = 0;
        for (int start = 0, end; start < answer.length(); start = end + 1) {
            end = answer.indexOf('\n', start);
            end = end < 0 ? answer.length() : end;
            int length = end - start;
            while (j < asked.size() && compare(asked.get(j), answer, start, length) < 0) {
                j++;
            }
            if (j < asked.size() && asked.get(j).length() == length && answer.startsWith(asked.get(j), start)) {
                permitted.add(asked.get(j));
            } else if (length > 0) {
                permitted.add(answer.substring(start, end));
            }
        }
        return permitted;
    }

    /** {@link String#compareTo} of {@code id} and the {@code length} characters of {@code text} at {@code start}. */
    private static int compare(String id, String text, int start, int length) {
        int n = Math.min(id.length(), length);
        for (int i = 0; i < n; i++) {
            int d = id.charAt(i) - text.charAt(start + i);
            if (d != 0) {
                return d;
            }
        }
        return id.length() - length;
    }

    @Override
    public void record(List<AccessReport> batch) throws Unavailable, Rejected {
        send(post("api/v1/access-records", AccessReport.toJson(batch)));
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
        return authorized(builder, "application/json");
    }

    private HttpRequest authorized(HttpRequest.Builder builder, String accept) {
        return builder.header("Authorization", "Bearer " + token.get()).header("Accept", accept).build();
    }

    private String send(HttpRequest request) throws Unavailable, Rejected {
        return check(request, exchange(request));
    }

    private HttpResponse<String> exchange(HttpRequest request) throws Unavailable {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable(request.uri().getPath() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", e);
        }
    }

    /** The body of a 200; any other status as the exception it means. */
    private String check(HttpRequest request, HttpResponse<String> response) throws Unavailable, Rejected {
        response.headers().firstValue("Date").ifPresent(this::learnClock);
        int status = response.statusCode();
        if (status == 200) {
            return response.body();
        }
        if (status == 400 || status == 413 || status == 422) {
            throw new Rejected(request.uri().getPath() + " answered " + status + ": " + response.body(),
                    problems(response.body()));
        }
        // 401 and 403 are the application's token (expired, not yet renewed); 404 a service starting or
        // stopping behind a proxy; 5xx and the rest the service itself. All may pass: try again later.
        throw new Unavailable(request.uri().getPath() + " answered " + status, null, retryAfter(response));
    }

    /** The {@code Retry-After} in seconds that a 429 or 503 carries, at most a minute; zero when there is none. */
    private static Duration retryAfter(HttpResponse<?> response) {
        try {
            return response.headers().firstValue("Retry-After").map(v -> Duration.ofSeconds(
                    Math.min(60, Math.max(0, Long.parseLong(v.trim()))))).orElse(Duration.ZERO);
        } catch (NumberFormatException e) {
            return Duration.ZERO;
        }
    }

    @Override
    public Duration clockOffset() {
        return Duration.ofMillis(clockOffsetMillis);
    }

    /** The service's clock, from its {@code Date} header (to the second): kept when it differs by two seconds or more. */
    private void learnClock(String date) {
        try {
            long offset = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli()
                    - System.currentTimeMillis();
            clockOffsetMillis = Math.abs(offset) >= 2_000 ? offset : 0;
        } catch (DateTimeParseException e) {
            // A proxy's odd header: keep what we knew.
        }
    }

    /** The fields of a problem document's {@code errors}, with their messages; empty when there are none. */
    private static Map<String, String> problems(String body) {
        Map<String, String> problems = new LinkedHashMap<>();
        try {
            Object errors = Json.object(body).get("errors");
            if (errors instanceof List<?> list) {
                for (Object e : list) {
                    if (e instanceof Map<?, ?> m && m.get("field") instanceof String field) {
                        problems.put(field, String.valueOf(m.get("message")));
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            // Not a problem document.
        }
        return problems;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
