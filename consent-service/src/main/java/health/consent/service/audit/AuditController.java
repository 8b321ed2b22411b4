package health.consent.service.audit;

import health.consent.model.audit.Checkpoint;
import health.consent.service.audit.AuditViews.AuditAccessRecord;
import health.consent.service.audit.AuditViews.AuditConsentEvent;
import health.consent.service.audit.AuditViews.ConsistencyProof;
import health.consent.service.audit.AuditViews.InclusionProof;
import health.consent.service.audit.AuditViews.PublicKeyView;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import health.consent.service.web.Filters;
import health.consent.service.web.Paging;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.SerdeImport;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;

/** The regulator's audit trail and the proofs of the tamper-evident log. */
@Controller("/api/v1/audit")
@SerdeImport(Checkpoint.class)
@Secured(Roles.REGULATOR)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Audit")
public class AuditController {

    private static final String CSV = "text/csv";

    private final AuditService audit;
    private final AuditLog log;
    private final AuditSigner signer;

    public AuditController(AuditService audit, AuditLog log, AuditSigner signer) {
        this.audit = audit;
        this.log = log;
        this.signer = signer;
    }

    @Operation(summary = "Access records, newest first; JSON or CSV (format=csv). A patientId needs a reason, and the read is recorded (REGULATOR)")
    @Get("/access-records")
    @Produces({MediaType.APPLICATION_JSON, CSV})
    public HttpResponse<?> accessRecords(HttpRequest<?> request, Authentication authentication,
                                         @Nullable @QueryValue String applicationId, @Nullable @QueryValue String patientId,
                                         @Nullable @QueryValue String purpose, @Nullable @QueryValue String from,
                                         @Nullable @QueryValue String to, @Nullable @QueryValue String reason,
                                         @Nullable @QueryValue Integer page, @Nullable @QueryValue Integer size,
                                         @Nullable @QueryValue String format) {
        boolean csv = wantsCsv(request, format);
        Paging<AuditAccessRecord> result = audit.accessRecords(Callers.regulator(authentication),
                Filters.parse(applicationId, patientId, purpose, from, to), reason,
                Paging.Request.of(page, size, AuditService.MAX_PAGE));
        return csv ? csv("access-records", AuditAccessRecord.COLUMNS,
                result.items().stream().map(AuditAccessRecord::values).toList()) : HttpResponse.ok(result);
    }

    @Operation(summary = "Consent events, newest first; JSON or CSV (format=csv). A patientId needs a reason, and the read is recorded (REGULATOR)")
    @Get("/consent-events")
    @Produces({MediaType.APPLICATION_JSON, CSV})
    public HttpResponse<?> consentEvents(HttpRequest<?> request, Authentication authentication,
                                         @Nullable @QueryValue String applicationId, @Nullable @QueryValue String patientId,
                                         @Nullable @QueryValue String purpose, @Nullable @QueryValue String from,
                                         @Nullable @QueryValue String to, @Nullable @QueryValue String reason,
                                         @Nullable @QueryValue Integer page, @Nullable @QueryValue Integer size,
                                         @Nullable @QueryValue String format) {
        boolean csv = wantsCsv(request, format);
        Paging<AuditConsentEvent> result = audit.consentEvents(Callers.regulator(authentication),
                Filters.parse(applicationId, patientId, purpose, from, to), reason,
                Paging.Request.of(page, size, AuditService.MAX_PAGE));
        return csv ? csv("consent-events", AuditConsentEvent.COLUMNS,
                result.items().stream().map(AuditConsentEvent::values).toList()) : HttpResponse.ok(result);
    }

    @Operation(summary = "The latest signed checkpoint of the audit log (REGULATOR)")
    @Get("/checkpoints/latest")
    public Checkpoint latest() {
        return log.latest().orElseGet(log::publish);
    }

    @Operation(summary = "Sign a checkpoint of the log as it is now (REGULATOR)")
    @Post("/checkpoints")
    public Checkpoint publish() {
        return log.publish();
    }

    @Operation(summary = "Proof that leaf N is in the tree of M leaves (REGULATOR)")
    @Get("/proofs/inclusion")
    public InclusionProof inclusion(@Nullable @QueryValue Long leaf, @Nullable @QueryValue Long treeSize) {
        return audit.inclusion(leaf, treeSize);
    }

    @Operation(summary = "Proof that the tree of M leaves is a prefix of the tree of N leaves (REGULATOR)")
    @Get("/proofs/consistency")
    public ConsistencyProof consistency(@Nullable @QueryValue Long from, @Nullable @QueryValue Long to) {
        return audit.consistency(from, to);
    }

    @Operation(summary = "The public key that signs checkpoints (anyone)")
    @Get("/public-key")
    @Secured(SecurityRule.IS_ANONYMOUS)
    public PublicKeyView publicKey() {
        return new PublicKeyView(signer.keyId(), "Ed25519", signer.publicKeyBase64());
    }

    private static boolean wantsCsv(HttpRequest<?> request, String format) {
        if (format != null && !format.equals("csv") && !format.equals("json")) {
            throw ApiException.invalid("format", "must be csv or json");
        }
        return "csv".equals(format) || (format == null && request.accept().stream()
                .anyMatch(m -> m.getName().equals(CSV)));
    }

    private static HttpResponse<String> csv(String name, List<String> columns, List<List<Object>> rows) {
        return HttpResponse.ok(Csv.write(columns, rows))
                .contentType(MediaType.of(CSV + ";charset=utf-8"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + ".csv\"");
    }
}
