package health.consent.service.support;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteInfo;

/**
 * In tests that turn it on ({@code test.error-route-probe: true}): the class whose method made the
 * last answer (a controller, an error route's controller, or an exception handler), as the
 * outermost filter sees it.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Requires(property = "test.error-route-probe", value = "true")
public class ErrorRouteProbe implements Ordered {

    private volatile Class<?> lastAnsweredBy;

    @ResponseFilter
    public void answered(HttpResponse<?> response) {
        lastAnsweredBy = RouteAttributes.getRouteInfo(response).map(RouteInfo::getDeclaringType).orElse(null);
    }

    public Class<?> lastAnsweredBy() {
        return lastAnsweredBy;
    }

    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }
}
