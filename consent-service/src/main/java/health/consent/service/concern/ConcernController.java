package health.consent.service.concern;

import health.consent.model.ApplicationId;
import health.consent.service.concern.ConcernService.NewConcern;
import health.consent.service.concern.ConcernService.PatientConcern;
import health.consent.service.concern.ConcernService.RegulatorConcern;
import health.consent.service.concern.ConcernService.Triage;
import health.consent.service.db.Paging;
import health.consent.service.security.Callers;
import health.consent.service.security.Callers.PatientCaller;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import health.consent.service.web.Input;
import health.consent.service.web.Limits;
import health.consent.service.web.Params;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Set;

/**
 * Ethics concerns: a patient reports one about an application ({@code /api/v1/me/concerns}),
 * regulators triage and answer them ({@code /api/v1/concerns}). Concerns are addressed to the
 * regulators: their reading them is the purpose of the report, and is not recorded as an access.
 */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Concerns")
public class ConcernController {

    static final int MAX_TEXT = 2_000;

    private final ConcernService concerns;
    private final Limits limits;

    public ConcernController(ConcernService concerns, Limits limits) {
        this.concerns = concerns;
        this.limits = limits;
    }

    @Operation(summary = "Report a concern about an application: category and what happened, in my words (PATIENT)")
    @Post("/me/concerns")
    @Secured(Roles.PATIENT)
    public HttpResponse<PatientConcern> file(Authentication authentication, @Body JsonNode body) {
        PatientCaller caller = Callers.patient(authentication);
        Input input = new Input();
        JsonNode request = input.body(body, Set.of("applicationId", "category", "text"));
        String app = input.identifier(request, "", "applicationId", ApplicationId::isValid, ApplicationId.PATTERN);
        ConcernCategory category = input.oneOf(request, "", "category", ConcernCategory::fromWire,
                ConcernCategory.WIRE_NAMES);
        String text = input.text(request, "", "text", MAX_TEXT);
        input.check();
        limits.concern(caller.patient());
        return HttpResponse.created(ApiException.unwrap(concerns.file(caller,
                new NewConcern(ApplicationId.of(app), category, text.strip()))));
    }

    @Operation(summary = "My concerns and the regulators' answers, newest first (PATIENT)")
    @Get("/me/concerns")
    @Secured(Roles.PATIENT)
    public Paging<PatientConcern> mine(Authentication authentication, @Nullable @QueryValue Integer page,
                                       @Nullable @QueryValue Integer size) {
        return concerns.mine(Callers.patient(authentication), Params.page(page, size));
    }

    @Operation(summary = "Concerns to triage, oldest first; filters status and applicationId (REGULATOR)")
    @Get("/concerns")
    @Secured(Roles.REGULATOR)
    public Paging<RegulatorConcern> find(@Nullable @QueryValue String status, @Nullable @QueryValue String applicationId,
                                         @Nullable @QueryValue Integer page, @Nullable @QueryValue Integer size) {
        Input input = new Input();
        ConcernStatus s = null;
        if (status != null) {
            s = ConcernStatus.fromWire(status).orElse(null);
            if (s == null) {
                input.problem("status", "must be one of RECEIVED, UNDER_REVIEW, ANSWERED");
            }
        }
        if (applicationId != null && !ApplicationId.isValid(applicationId)) {
            input.problem("applicationId", "must match " + ApplicationId.PATTERN);
        }
        Paging.Request paging = Params.page(page, size);
        input.check();
        return concerns.find(s, applicationId == null ? null : ApplicationId.of(applicationId), paging);
    }

    @Operation(summary = "Move a concern to UNDER_REVIEW, or answer it (ANSWERED, with the answer the patient reads; final) (REGULATOR)")
    @Put("/concerns/{id}")
    @Secured(Roles.REGULATOR)
    public RegulatorConcern triage(Authentication authentication, @PathVariable String id, @Body JsonNode body) {
        Input input = new Input();
        JsonNode request = input.body(body, Set.of("status", "answer"));
        ConcernStatus status = input.oneOf(request, "", "status", ConcernStatus::fromWire, "UNDER_REVIEW, ANSWERED");
        String answer = null;
        if (status == ConcernStatus.RECEIVED) {
            input.problem("status", "must be UNDER_REVIEW or ANSWERED");
        } else if (status == ConcernStatus.ANSWERED) {
            answer = input.text(request, "", "answer", MAX_TEXT);
        } else if (request != null && request.get("answer") != null && !request.get("answer").isNull()) {
            input.problem("answer", "is given only with the status ANSWERED");
        }
        if (!id.matches("[0-9a-f-]{36}")) {
            input.problem("id", "must be a concern's id");
        }
        input.check();
        return ApiException.unwrap(concerns.triage(Callers.regulator(authentication), id,
                new Triage(status, answer == null ? null : answer.strip())));
    }
}
