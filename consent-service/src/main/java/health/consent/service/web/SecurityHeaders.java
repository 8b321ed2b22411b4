package health.consent.service.web;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Headers on every answer: the page runs only its own script and style (no inline script, no
 * third party), cannot be framed, and nothing about a patient is cached or sent to another site.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class SecurityHeaders {

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Map<String, String> ALWAYS = headers(false);
    private static final Map<String, String> API = headers(true);

    private static Map<String, String> headers(boolean api) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Security-Policy", CSP);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        if (api) {
            h.put("Cache-Control", "no-store");
        }
        return Collections.unmodifiableMap(h);
    }

    /** The headers of an answer under {@code /api/}, for the few answered outside this filter. */
    public static Map<String, String> forApi() {
        return API;
    }

    @ResponseFilter
    public void headers(HttpRequest<?> request, MutableHttpResponse<?> response) {
        (request.getPath().startsWith("/api/") ? API : ALWAYS).forEach(response::header);
    }
}
