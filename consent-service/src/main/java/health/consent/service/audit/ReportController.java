package health.consent.service.audit;

import health.consent.service.audit.AuditViews.ConsentRate;
import health.consent.service.audit.AuditViews.MonthlyConsent;
import health.consent.service.security.Roles;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;

/** Aggregate reports for regulators: counts only, no patient. */
@Controller("/api/v1/reports")
@Secured(Roles.REGULATOR)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Audit")
public class ReportController {

    private final AuditService audit;

    public ReportController(AuditService audit) {
        this.audit = audit;
    }

    @Operation(summary = "Per application and purpose: patients who granted, refused, withdrew, or never decided (REGULATOR)",
            description = "The patients of an application are those with any decision about it; notSet counts those "
                    + "who never decided this purpose.")
    @Get("/consent-rates")
    public List<ConsentRate> consentRates() {
        return audit.consentRates();
    }

    @Operation(summary = "Per month (UTC), application and purpose: the grants, refusals and withdrawals decided (REGULATOR)")
    @Get("/consent-rates/monthly")
    public List<MonthlyConsent> monthly() {
        return audit.monthlyConsents();
    }
}
