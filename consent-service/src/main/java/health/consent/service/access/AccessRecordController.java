package health.consent.service.access;

import health.consent.service.access.AccessRecordService.Receipt;
import health.consent.service.db.Clock;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Access records, reported by the application that made the access: always stored under the caller. */
@Controller("/api/v1/access-records")
@Secured(Roles.APPLICATION)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Access records")
public class AccessRecordController {

    private final AccessRecordService records;

    public AccessRecordController(AccessRecordService records) {
        this.records = records;
    }

    @Operation(summary = "Record a batch of accesses (1 to 1000); a record id already stored is not stored again (APPLICATION)")
    @Post
    public Receipt record(Authentication authentication, @Body JsonNode body) {
        var application = Callers.application(authentication);
        return ApiException.unwrap(records.store(application, AccessRecordRequests.batch(body, Clock.now())));
    }
}
