package health.consent.service.purge;

import health.consent.service.db.Paging;
import health.consent.service.purge.PurgeService.PurgeView;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import health.consent.service.web.Params;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The erasures the calling application owes, and its confirmations. */
@Controller("/api/v1/purges")
@Secured(Roles.APPLICATION)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Decisions")
public class PurgeController {

    private final PurgeService purges;

    public PurgeController(PurgeService purges) {
        this.purges = purges;
    }

    @Operation(summary = "The erasures I owe and have not confirmed, oldest first (APPLICATION)")
    @Get
    public Paging<PurgeView> pending(Authentication authentication, @Nullable @QueryValue Integer page,
                                     @Nullable @QueryValue Integer size) {
        return purges.pending(Callers.application(authentication), Params.page(page, size));
    }

    @Operation(summary = "Confirm that what was extracted under a withdrawn purpose is erased; idempotent (APPLICATION, own obligations)")
    @Post("/{id}/confirmation")
    public PurgeView confirm(Authentication authentication, @PathVariable String id) {
        if (!id.matches("[0-9a-f-]{36}")) {
            throw ApiException.invalid("id", "must be a purge obligation's id");
        }
        return ApiException.unwrap(purges.confirm(Callers.application(authentication), id));
    }
}
