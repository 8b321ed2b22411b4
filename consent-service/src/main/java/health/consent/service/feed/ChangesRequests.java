package health.consent.service.feed;

import health.consent.model.ApplicationId;
import health.consent.model.wire.FeedPage;
import health.consent.service.security.Roles;
import health.consent.service.security.ValidatedTokens;
import health.consent.service.web.ConnectionAnswers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import io.micronaut.json.JsonMapper;
import io.micronaut.security.authentication.Authentication;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The change feed's long poll answered where the connection is read ({@link ConnectionAnswers}),
 * before the framework's request pipeline, which costs most of a poll's CPU: with ten thousand
 * connected instances a change is a hundred answers and a hundred new polls.
 *
 * <p>Only the hot case is answered here: {@code GET /api/v1/changes?after=N[&wait=S]}, HTTP/1.1 kept
 * alive, no body, with a bearer token the framework has already fully validated (and not expired)
 * for the APPLICATION role, answered from memory by {@link ChangeFeed#pollFromMemory}. Everything
 * else (a new or unknown token, another role, a bad parameter, a position memory does not hold,
 * an application at its allowed number of waits, any other request) goes on to the framework,
 * which stays the only judge of tokens and of requests (a poll that fails once taken is answered
 * 503 or 500, as the framework would answer it).
 * {@code consent.feed.fast-path: false} ({@code CONSENT_FEED_FAST_PATH=false}) turns this off.
 */
@Singleton
@Requires(property = "consent.feed.fast-path", notEquals = "false")
public class ChangesRequests implements ConnectionAnswers.Route {

    static final String PATH = "/api/v1/changes";

    private final ChangeFeed feed;
    private final ValidatedTokens tokens;
    private final JsonMapper json;
    private final Counter answered;
    private final Timer requests;
    private final ThreadLocal<Encoded> encoded = ThreadLocal.withInitial(Encoded::new);

    public ChangesRequests(ChangeFeed feed, ValidatedTokens tokens, JsonMapper json, MeterRegistry meters) {
        this.feed = feed;
        this.tokens = tokens;
        this.json = json;
        this.answered = Counter.builder("consent.feed.connection.answers")
                .description("Long polls of the change feed answered where the connection is read, before the "
                        + "framework's request pipeline").register(meters);
        // Counted with the framework's own requests, under the same name and tags.
        this.requests = Timer.builder("http.server.requests").tags("exception", "none", "method", "GET",
                "status", "200", "uri", PATH).register(meters);
    }

    @Override
    public ConnectionAnswers.Taking judge(HttpRequest request) {
        Poll poll = parse(request);
        if (poll == null) {
            return null;
        }
        return new ConnectionAnswers.Taking(0, body -> {
            CompletableFuture<FeedPage> page;
            try {
                page = feed.pollFromMemory(poll.application(), poll.after(), poll.waitSeconds());
            } catch (RuntimeException e) {
                return null;
            }
            if (page == null) {
                return null;
            }
            long start = System.nanoTime();
            // A poll whose connection closes stops waiting: it no longer counts against the application's allowance.
            return new ConnectionAnswers.Taken<>(page, (p, failure) -> answer(p, failure, poll.gzip(), start), true);
        });
    }

    /** A poll this route answers. */
    private record Poll(ApplicationId application, long after, int waitSeconds, boolean gzip) {
    }

    /**
     * The poll a request asks for, when this route may answer it; null for the framework. Any
     * doubt about the request is the framework's to judge.
     */
    Poll parse(HttpRequest request) {
        if (!HttpMethod.GET.equals(request.method()) || !request.uri().startsWith(PATH + "?")
                || !ConnectionAnswers.plain(request) || HttpUtil.getContentLength(request, 0L) != 0) {
            return null;
        }
        for (int i = 0; i < request.uri().length(); i++) {
            char c = request.uri().charAt(i);
            // A fragment, a space or anything unusual: the framework judges the address.
            if (!ConnectionAnswers.plainChar(c, "/?=&")) {
                return null;
            }
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        if (!uri.path().equals(PATH)) {
            return null;
        }
        Long after = null;
        int wait = 0;
        for (Map.Entry<String, List<String>> p : uri.parameters().entrySet()) {
            if (p.getValue().size() != 1) {
                return null;
            }
            String value = p.getValue().get(0);
            switch (p.getKey()) {
                case "after" -> after = number(value, Long.MAX_VALUE);
                case "wait" -> {
                    Long w = number(value, ChangesController.MAX_WAIT_SECONDS);
                    if (w == null) {
                        return null;
                    }
                    wait = w.intValue();
                }
                default -> {
                    return null;
                }
            }
        }
        if (after == null) {
            return null;
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        Authentication caller = tokens.known(authorization.substring(7));
        if (caller == null || !caller.getRoles().contains(Roles.APPLICATION)
                || !ApplicationId.isValid(caller.getName())) {
            return null;
        }
        return new Poll(ApplicationId.of(caller.getName()), after, wait, ConnectionAnswers.takesGzip(request));
    }

    /** A decimal number from 0 to {@code most}, or null. */
    private static Long number(String value, long most) {
        if (value.isEmpty() || value.length() > 18) {
            return null;
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            n = n * 10 + (c - '0');
        }
        return n <= most ? n : null;
    }

    private FullHttpResponse answer(FeedPage page, Throwable failure, boolean gzip, long start) throws IOException {
        if (failure != null) {
            return ConnectionAnswers.failed(failure, json);
        }
        Encoded body = encode(page, gzip);
        FullHttpResponse response = ConnectionAnswers.response(HttpResponseStatus.OK,
                HttpHeaderValues.APPLICATION_JSON, body.bytes, body.compressed);
        // Counted before it is sent: whoever reads the metrics after the answer sees it counted.
        answered.increment();
        requests.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return response;
    }

    /**
     * The page's body as sent: the JSON, compressed from {@link ConnectionAnswers#COMPRESS_FROM} bytes for a client
     * that takes gzip. The waiters of an application are handed the same page, and answered one
     * after another: the last page each thread encoded is kept (the thread's own holder is
     * returned), and its bytes, never written to, serve every answer of that page.
     */
    Encoded encode(FeedPage page, boolean gzip) throws IOException {
        Encoded last = encoded.get();
        if (last.page == page && last.gzip == gzip) {
            return last;
        }
        byte[] body = json.writeValueAsBytes(page);
        boolean compressed = ConnectionAnswers.compresses(body.length, gzip);
        if (compressed) {
            body = ConnectionAnswers.gzip(body);
        }
        last.page = page;
        last.gzip = gzip;
        last.compressed = compressed;
        last.bytes = body;
        return last;
    }

    /** The last page a thread encoded, as {@link #encode}. */
    static final class Encoded {
        FeedPage page;
        boolean gzip;
        boolean compressed;
        byte[] bytes;
    }
}
