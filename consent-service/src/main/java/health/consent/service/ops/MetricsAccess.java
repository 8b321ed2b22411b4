package health.consent.service.ops;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.nio.charset.StandardCharsets;
import health.consent.service.web.Problem;
import java.security.MessageDigest;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may read {@code /prometheus}: its counts per route reveal who uses the service and how (a
 * regulator's reads included). With {@code METRICS_TOKEN} set, a scraper presents it as a bearer
 * token; with {@code METRICS_PUBLIC=true} anyone may read (for a port that a firewall keeps to the
 * monitoring network); with neither, nobody, except in {@code dev}.
 */
@ServerFilter("/prometheus/**")
public class MetricsAccess {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsAccess.class);

    private final byte[] token;
    private final boolean open;

    public MetricsAccess(@Value("${consent.metrics.token:}") String token,
                         @Value("${consent.metrics.public:false}") boolean isPublic, Environment environment) {
        this.token = token.isBlank() ? null : ("Bearer " + token.trim()).getBytes(StandardCharsets.UTF_8);
        this.open = isPublic || (this.token == null && environment.getActiveNames().contains(Environment.DEVELOPMENT));
        if (!open && this.token == null) {
            LOG.info("/prometheus is closed: set METRICS_TOKEN (a bearer token for the scraper) or METRICS_PUBLIC=true");
        }
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> check(HttpRequest<?> request) {
        if (open) {
            return null;
        }
        String given = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (token != null && given != null
                && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return HttpResponse.status(HttpStatus.UNAUTHORIZED).contentType(Problem.MEDIA_TYPE)
                .body(new Problem("about:blank", HttpStatus.UNAUTHORIZED.getReason(), 401,
                        "The metrics need the scraper's token (METRICS_TOKEN) as a bearer token", List.of()));
    }
}
