package health.consent.service.consent;

import health.consent.model.ApplicationId;
import health.consent.model.ConsentChange;
import health.consent.service.consent.ConsentViews.ChangeResult;
import health.consent.service.outcome.Result;
import health.consent.service.security.Callers;
import health.consent.service.security.Callers.PatientCaller;
import health.consent.service.security.Roles;
import health.consent.service.security.ValidatedTokens;
import health.consent.service.web.ApiException;
import health.consent.service.web.ConnectionAnswers;
import health.consent.service.web.Limits;
import health.consent.service.web.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpStatus;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.security.authentication.Authentication;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A patient's consent change answered where the connection is read ({@link ConnectionAnswers}),
 * before the framework's request pipeline, which costs about half of the service's CPU for a
 * change (BENCHMARKS.md, "Consent changes answered at the connection").
 *
 * <p>Only the usual request is taken: {@code PUT /api/v1/me/consents/{applicationId}/{purpose}},
 * HTTP/1.1 kept alive, no query, a JSON body of a declared length up to 4 KB, at most one
 * {@code If-Match}, and a bearer token the framework has already fully validated (and not expired)
 * for the PATIENT role; the body is read, checked and the patient's allowance taken exactly as
 * {@link PatientController#change} does. Any doubt (a new token, another role, an unusual address
 * or header, a body the rules refuse, a patient over their allowance) leaves the request, untouched,
 * to the framework, which judges it again and answers the error. Once taken, the change is written
 * with the others of its group, and its answer (200, or the refusal the rules gave at the write, or
 * 503 when the database failed) is the framework's answer: the same status, headers and body.
 * A change taken is carried out even if its connection closes before the answer.
 * {@code consent.changes.fast-path: false} ({@code CONSENT_CHANGES_FAST_PATH=false}) turns this off.
 */
@Singleton
@Requires(property = "consent.changes.fast-path", notEquals = "false")
public class ConsentChangeRequests implements ConnectionAnswers.Route {

    static final String PREFIX = "/api/v1/me/consents/";
    /** The route's template, as the framework names it in its request metrics. */
    private static final String TEMPLATE = PREFIX + "{applicationId}/{purpose}";
    /** A change's body is under 200 bytes; anything much larger is the framework's to judge. */
    static final int MAX_BODY = 4_096;

    private final ConsentService consents;
    private final ValidatedTokens tokens;
    private final Limits limits;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Counter answered;
    private final Timer changed;

    public ConsentChangeRequests(ConsentService consents, ValidatedTokens tokens, Limits limits, JsonMapper json,
                                 MeterRegistry meters) {
        this.consents = consents;
        this.tokens = tokens;
        this.limits = limits;
        this.json = json;
        this.meters = meters;
        this.answered = Counter.builder("consent.changes.connection.answers")
                .description("Consent changes answered where the connection is read, before the framework's "
                        + "request pipeline").register(meters);
        this.changed = timer(HttpStatus.OK, "none");
    }

    /** Counted with the framework's own requests, under the same name and tags. */
    private Timer timer(HttpStatus status, String exception) {
        return Timer.builder("http.server.requests").tags("exception", exception, "method", "PUT",
                "status", Integer.toString(status.getCode()), "uri", TEMPLATE).register(meters);
    }

    /** The change a request asks for, judged on its line and headers. */
    private record Asked(Authentication caller, String application, String purpose, String ifMatch, boolean gzip) {
    }

    @Override
    public ConnectionAnswers.Taking judge(HttpRequest request) {
        Asked asked = parse(request);
        if (asked == null) {
            return null;
        }
        return new ConnectionAnswers.Taking(MAX_BODY, body -> take(asked, body));
    }

    /** The change a request asks for, when this route may take it; null for the framework. */
    Asked parse(HttpRequest request) {
        String uri = request.uri();
        if (!HttpMethod.PUT.equals(request.method()) || !uri.startsWith(PREFIX) || !ConnectionAnswers.plain(request)) {
            return null;
        }
        int slash = -1;
        for (int i = PREFIX.length(); i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/') {
                if (slash >= 0) {
                    return null;
                }
                slash = i;
            } else if (!ConnectionAnswers.plainChar(c, "")) {
                // A query, an escape, a fragment or anything unusual: the framework judges the address.
                return null;
            }
        }
        if (slash <= PREFIX.length() || slash == uri.length() - 1) {
            return null;
        }
        long length = HttpUtil.getContentLength(request, -1L);
        List<String> ifMatch = request.headers().getAll(HttpHeaderNames.IF_MATCH);
        if (length < 1 || length > MAX_BODY || !json(request.headers().get(HttpHeaderNames.CONTENT_TYPE))
                || ifMatch.size() > 1) {
            return null;
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        Authentication caller = tokens.known(authorization.substring(7));
        if (caller == null || !caller.getRoles().contains(Roles.PATIENT)) {
            return null;
        }
        return new Asked(caller, uri.substring(PREFIX.length(), slash), uri.substring(slash + 1),
                ifMatch.isEmpty() ? null : ifMatch.get(0), ConnectionAnswers.takesGzip(request));
    }

    /** JSON as the framework reads it for this route: {@code application/json}, in UTF-8 if a charset is named. */
    private static boolean json(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.replace(" ", "").toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.equals("application/json;charset=utf-8");
    }

    /**
     * The change written, as {@link PatientController#change} writes it; null, having done nothing,
     * when anything in it is for the framework to refuse.
     */
    private ConnectionAnswers.Taken<Result<ChangeResult>> take(Asked asked, byte[] body) {
        JsonNode request;
        try {
            request = json.readValue(body, Argument.of(JsonNode.class));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (request == null || !ApplicationId.isValid(asked.application())) {
            return null;
        }
        PatientCaller caller;
        ConsentChange change;
        try {
            caller = Callers.patient(asked.caller());
            change = ConsentRequests.change(asked.purpose(), request, asked.ifMatch());
            // Last, as the controller: a request refused above takes nothing from the allowance.
            limits.consentChange(caller.patient());
        } catch (RuntimeException refused) {
            return null;
        }
        long start = System.nanoTime();
        CompletableFuture<Result<ChangeResult>> written = consents.change(caller,
                ApplicationId.of(asked.application()), change);
        // Written even if the connection closes first; the answer is then made (counted) and dropped.
        return new ConnectionAnswers.Taken<>(written,
                (result, failure) -> answer(result, failure, asked.gzip(), start), false);
    }

    FullHttpResponse answer(Result<ChangeResult> result, Throwable failure, boolean gzip, long start)
            throws IOException {
        FullHttpResponse response;
        if (failure != null) {
            response = ConnectionAnswers.failed(failure, json);
            record(response, ConnectionAnswers.cause(failure).getClass().getSimpleName(), start);
            return response;
        }
        if (result instanceof Result.Refused<ChangeResult> refused) {
            ApiException refusal = ApiException.of(refused.refusal());
            response = problem(refusal.status(), refusal.problem(), gzip);
            if (refusal.retryAfterSeconds() > 0) {
                response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(refusal.retryAfterSeconds()));
            }
            record(response, ApiException.class.getSimpleName(), start);
            return response;
        }
        ChangeResult changed = ((Result.Ok<ChangeResult>) result).value();
        response = ConnectionAnswers.compressible(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON,
                json.writeValueAsBytes(changed), gzip);
        response.headers().set(HttpHeaderNames.ETAG, "\"" + changed.consent().version() + "\"");
        record(response, "none", start);
        return response;
    }

    private FullHttpResponse problem(HttpStatus status, Problem problem, boolean gzip) throws IOException {
        return ConnectionAnswers.compressible(HttpResponseStatus.valueOf(status.getCode()),
                ConnectionAnswers.PROBLEM_JSON, json.writeValueAsBytes(problem), gzip);
    }

    /** Counted before it is sent: whoever reads the metrics after the answer sees it counted. */
    private void record(FullHttpResponse response, String exception, long start) {
        answered.increment();
        Timer timer = response.status().code() == 200 ? changed
                : timer(HttpStatus.valueOf(response.status().code()), exception);
        timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
}
