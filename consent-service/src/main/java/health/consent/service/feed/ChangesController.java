package health.consent.service.feed;

import health.consent.model.wire.FeedPage;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import health.consent.service.web.Input;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.concurrent.CompletableFuture;

/**
 * The calling application's change feed. Waiting holds no thread: the answer completes when a
 * change comes. Each application may hold a bounded number of waiting requests per instance
 * ({@code consent.feed.max-waits-per-application}); beyond, 429 with {@code Retry-After}.
 */
@Controller("/api/v1/changes")
@Secured(Roles.APPLICATION)
@Tag(name = "Decisions")
public class ChangesController {

    static final int MAX_WAIT_SECONDS = 30;

    private final ChangeFeed feed;

    public ChangesController(ChangeFeed feed) {
        this.feed = feed;
    }

    @Operation(summary = "Changes of decisions for the calling application, after a position; waits up to 30 s (APPLICATION)",
            description = "Without 'after', answers at once with the current position in 'next'.")
    @Get
    public CompletableFuture<FeedPage> changes(Authentication authentication, @Nullable @QueryValue Long after,
                                              @Nullable @QueryValue Integer wait) {
        Input input = new Input();
        if (after != null && after < 0) {
            input.problem("after", "must be 0 or more");
        }
        int seconds = wait == null ? 0 : wait;
        if (seconds < 0 || seconds > MAX_WAIT_SECONDS) {
            input.problem("wait", "must be between 0 and " + MAX_WAIT_SECONDS + " seconds");
        }
        input.check();
        return ApiException.unwrap(feed.poll(Callers.application(authentication), after, seconds));
    }
}
