package health.consent.service.web;

import health.consent.service.security.Roles;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.security.authentication.Authentication;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The per-application quotas, taken before anything else is done with a request: an application
 * over its quota costs the instance no body parsing, no routing to a worker thread and no database
 * work. Its 429 comes after {@link #REFUSAL_DELAY_MILLIS} (on a timer, holding no thread), so a
 * client that ignores {@code Retry-After} and asks again at once is slowed by its own connections,
 * instead of spending the instance's time on refusals at the others' cost.
 */
// "/**" also matches the path itself, and the path with a trailing slash, which the router takes too.
@ServerFilter(patterns = {"/api/v1/decisions/**", "/api/v1/access-records/**"})
public class ApplicationQuotas implements Ordered {

    /** How long a refusal is held before it is sent. */
    static final long REFUSAL_DELAY_MILLIS = 500;

    private static final CompletableFuture<@Nullable HttpResponse<?>> GO_ON = CompletableFuture.completedFuture(null);

    private final Limits limits;
    private final ApiExceptionHandler problems;

    ApplicationQuotas(Limits limits, ApiExceptionHandler problems) {
        this.limits = limits;
        this.problems = problems;
    }

    /** Completes empty (go on) at once, or with the refusal after the delay. */
    @RequestFilter
    public CompletableFuture<@Nullable HttpResponse<?>> quota(HttpRequest<?> request) {
        Authentication caller = limits.hasApplicationQuotas()
                ? request.getUserPrincipal(Authentication.class).orElse(null) : null;
        if (caller == null || !caller.getRoles().contains(Roles.APPLICATION)) {
            return GO_ON;
        }
        try {
            if (request.getPath().startsWith("/api/v1/access-records")) {
                if (request.getMethod() == HttpMethod.POST) {
                    limits.applicationRecords(caller.getName());
                }
            } else {
                limits.applicationDecision(caller.getName());
            }
            return GO_ON;
        } catch (ApiException refused) {
            HttpResponse<?> response = problems.handle(request, refused);
            return CompletableFuture.<@Nullable HttpResponse<?>>supplyAsync(() -> response,
                    CompletableFuture.delayedExecutor(REFUSAL_DELAY_MILLIS, TimeUnit.MILLISECONDS));
        }
    }

    @Override
    public int getOrder() {
        // After the security filter (which knows the caller) and the one that remembers validated tokens.
        return ServerFilterPhase.SECURITY.after() + 10;
    }
}
