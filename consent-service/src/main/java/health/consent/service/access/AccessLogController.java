package health.consent.service.access;

import health.consent.service.access.AccessRecordService.Entry;
import health.consent.service.db.Paging;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.web.Params;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Who read my data, and why: the patient's own access records, and regulators' reads about them. */
@Controller("/api/v1/me/access-log")
@Secured(Roles.PATIENT)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Patient")
public class AccessLogController {

    private final AccessRecordService records;

    public AccessLogController(AccessRecordService records) {
        this.records = records;
    }

    @Operation(summary = "My access log, newest first, filtered by applicationId, purpose, from and to (PATIENT)")
    @Get
    public Paging<Entry> log(Authentication authentication, @Nullable @QueryValue String applicationId,
                             @Nullable @QueryValue String purpose, @Nullable @QueryValue String from,
                             @Nullable @QueryValue String to, @Nullable @QueryValue Integer page,
                             @Nullable @QueryValue Integer size) {
        var patient = Callers.patient(authentication).patient();
        return records.log(patient, Params.filters(applicationId, null, purpose, from, to), Params.page(page, size));
    }
}
