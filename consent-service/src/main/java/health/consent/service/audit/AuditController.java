package health.consent.service.audit;

import health.consent.model.audit.Checkpoint;
import health.consent.model.compliance.FindingKind;
import health.consent.service.audit.AuditViews.AuditAccessRecord;
import health.consent.service.audit.AuditViews.AuditConsentEvent;
import health.consent.service.audit.AuditViews.AuditFinding;
import health.consent.service.audit.AuditViews.ConsistencyProof;
import health.consent.service.audit.AuditViews.InclusionProof;
import health.consent.service.audit.AuditViews.PublicKeyView;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import health.consent.service.db.Filters;
import health.consent.service.db.Paging;
import health.consent.service.web.Params;
import io.micronaut.core.annotation.Introspected;
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
import io.micronaut.http.annotation.RequestBean;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.SerdeImport;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.function.Function;

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

    @Operation(summary = "Access records, newest first; JSON or CSV (format=csv). Needs a reason; the read is recorded in the log of each patient read (REGULATOR)")
    @Get("/access-records")
    @Produces({MediaType.APPLICATION_JSON, CSV})
    public HttpResponse<?> accessRecords(HttpRequest<?> request, Authentication authentication,
                                         @RequestBean TrailParams params) {
        return trail(request, authentication, params, "access-records", AuditAccessRecord.COLUMNS,
                audit::accessRecords, AuditAccessRecord::values);
    }

    @Operation(summary = "Consent events, newest first; JSON or CSV (format=csv). Needs a reason; the read is recorded in the log of each patient read (REGULATOR)")
    @Get("/consent-events")
    @Produces({MediaType.APPLICATION_JSON, CSV})
    public HttpResponse<?> consentEvents(HttpRequest<?> request, Authentication authentication,
                                         @RequestBean TrailParams params) {
        return trail(request, authentication, params, "consent-events", AuditConsentEvent.COLUMNS,
                audit::consentEvents, AuditConsentEvent::values);
    }

    @Operation(summary = "What the trail shows to be wrong, newest access first, each with the leaves that prove it; JSON or CSV (format=csv). Needs a reason; the read is recorded in the log of each patient named (REGULATOR)",
            description = "Filters: applicationId, kind (ACCESS_WITHOUT_CONSENT, UNDECLARED_PURPOSE, ACCESS_WHILE_SUSPENDED, "
                    + "LATE_REPORT, PURGE_OVERDUE), from and to (on the access's time).")
    @Get("/findings")
    @Produces({MediaType.APPLICATION_JSON, CSV})
    public HttpResponse<?> findings(HttpRequest<?> request, Authentication authentication,
                                    @RequestBean FindingParams params) {
        boolean csv = wantsCsv(request, params.format());
        Filters filters = Params.filters(params.applicationId(), null, null, params.from(), params.to());
        FindingKind kind = null;
        if (params.kind() != null) {
            kind = Arrays.stream(FindingKind.values()).filter(k -> k.name().equals(params.kind())).findFirst()
                    .orElseThrow(() -> ApiException.invalid("kind", "must be one of " + Arrays.stream(FindingKind.values())
                            .map(Enum::name).collect(Collectors.joining(", "))));
        }
        Paging.Request paging = Params.page(params.page(), params.size(), AuditService.MAX_PAGE);
        String reason = Params.reason(params.reason());
        AuditViews.FindingsPage result = audit.findings(new AuditService.FindingsQuery(Callers.regulator(authentication),
                new FindingRepository.Query(params.applicationId(), kind, filters.from(), filters.to()), reason, paging));
        return csv ? csv("findings", AuditFinding.COLUMNS, result.items().stream().map(AuditFinding::values).toList())
                : HttpResponse.ok(result);
    }

    /** The findings' query parameters, as they come. */
    @Introspected
    public record FindingParams(@Nullable @QueryValue String applicationId, @Nullable @QueryValue String kind,
                                @Nullable @QueryValue String from, @Nullable @QueryValue String to,
                                @Nullable @QueryValue String reason, @Nullable @QueryValue Integer page,
                                @Nullable @QueryValue Integer size, @Nullable @QueryValue String format) {
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
        return ApiException.unwrap(audit.inclusion(leaf, treeSize));
    }

    @Operation(summary = "Proof that the tree of M leaves is a prefix of the tree of N leaves (REGULATOR)")
    @Get("/proofs/consistency")
    public ConsistencyProof consistency(@Nullable @QueryValue Long from, @Nullable @QueryValue Long to) {
        return ApiException.unwrap(audit.consistency(from, to));
    }

    @Operation(summary = "The public key that signs checkpoints (anyone)")
    @Get("/public-key")
    @Secured(SecurityRule.IS_ANONYMOUS)
    public PublicKeyView publicKey() {
        return new PublicKeyView(signer.keyId(), "Ed25519", signer.publicKeyBase64());
    }

    /** A page of the trail, as JSON or as CSV. */
    private static <T> HttpResponse<?> trail(HttpRequest<?> request, Authentication authentication, TrailParams params,
                                             String name, List<String> columns,
                                             Function<AuditService.TrailQuery, Paging<T>> read,
                                             Function<T, List<Object>> row) {
        boolean csv = wantsCsv(request, params.format());
        Paging<T> result = read.apply(query(authentication, params));
        return csv ? csv(name, columns, result.items().stream().map(row).toList()) : HttpResponse.ok(result);
    }

    /**
     * The trail's parameters. Every row of the trail names a patient, so every read needs a
     * reason: it is shown to each patient whose rows were read, in their log.
     */
    private static AuditService.TrailQuery query(Authentication authentication, TrailParams params) {
        Callers.RegulatorCaller regulator = Callers.regulator(authentication);
        Filters filters = Params.filters(params.applicationId(), params.patientId(), params.purpose(), params.from(),
                params.to());
        Paging.Request paging = Params.page(params.page(), params.size(), AuditService.MAX_PAGE);
        return new AuditService.TrailQuery(regulator, filters, Params.reason(params.reason()), paging);
    }

    /** The trail's query parameters, as they come. */
    @Introspected
    public record TrailParams(@Nullable @QueryValue String applicationId, @Nullable @QueryValue String patientId,
                              @Nullable @QueryValue String purpose, @Nullable @QueryValue String from,
                              @Nullable @QueryValue String to, @Nullable @QueryValue String reason,
                              @Nullable @QueryValue Integer page, @Nullable @QueryValue Integer size,
                              @Nullable @QueryValue String format) {
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
