package health.consent.service.consent;

import health.consent.model.ApplicationId;
import health.consent.model.ConsentChange;
import health.consent.service.catalogue.CatalogueService;
import health.consent.service.consent.ConsentViews.ChangeResult;
import health.consent.service.consent.ConsentViews.HistoryEvent;
import health.consent.service.consent.ConsentViews.ConsentView;
import health.consent.service.db.Paging;
import health.consent.service.security.Callers;
import health.consent.service.security.Callers.PatientCaller;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import health.consent.service.web.Limits;
import health.consent.service.web.Params;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.netty.util.internal.ThreadExecutorMap;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The patient's own consents. The patient is always the token's subject: no path or parameter
 * names a patient, so no patient can reach another's data.
 */
@Controller("/api/v1/me")
@Secured(Roles.PATIENT)
@Tag(name = "Patient")
public class PatientController {

    private final ConsentService consents;
    private final Limits limits;

    public PatientController(ConsentService consents, Limits limits) {
        this.consents = consents;
        this.limits = limits;
    }

    @Operation(summary = "My consents: one row per catalogue application and declared purpose (PATIENT)")
    @Get("/consents")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public List<ConsentView> list(Authentication authentication) {
        return consents.list(Callers.patient(authentication));
    }

    @Operation(summary = "Grant, refuse or withdraw one purpose of one application (PATIENT)")
    @Put("/consents/{applicationId}/{purpose}")
    public CompletableFuture<HttpResponse<ChangeResult>> change(Authentication authentication,
                                                               @PathVariable String applicationId,
                                                               @PathVariable String purpose, @Body JsonNode body,
                                                               @Nullable @Header(HttpHeaders.IF_MATCH) String ifMatch) {
        // On the event loop: checking the request needs no database, and the change waits for its
        // group's commit without holding a thread.
        PatientCaller caller = Callers.patient(authentication);
        ConsentChange change = ConsentRequests.change(purpose, body, ifMatch);
        if (!ApplicationId.isValid(applicationId)) {
            throw ApiException.of(CatalogueService.notFound(applicationId));
        }
        limits.consentChange(caller.patient());
        return consents.change(caller, ApplicationId.of(applicationId), change).thenApplyAsync(answer -> {
            ChangeResult result = ApiException.unwrap(answer);
            return HttpResponse.ok(result).header(HttpHeaders.ETAG, "\"" + result.consent().version() + "\"");
        }, thisEventLoop());
    }

    /**
     * Where the answer is made: this request's event loop, not the committer that completes the
     * change (a committer goes on to its next group at once). A loop shutting down leaves it to
     * the thread that completes the change, which never fails for it.
     */
    private static Executor thisEventLoop() {
        Executor loop = ThreadExecutorMap.currentExecutor();
        if (loop == null) {
            return Runnable::run;
        }
        return task -> {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException shuttingDown) {
                task.run();
            }
        };
    }

    @Operation(summary = "My consent history, newest first (PATIENT)")
    @Get("/consents/history")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public Paging<HistoryEvent> history(Authentication authentication, @Nullable @QueryValue Integer page,
                                        @Nullable @QueryValue Integer size) {
        return consents.history(Callers.patient(authentication), Params.page(page, size));
    }
}
