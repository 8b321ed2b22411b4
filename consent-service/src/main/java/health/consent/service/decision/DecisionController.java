package health.consent.service.decision;

import health.consent.model.ApplicationId;
import health.consent.model.PatientId;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.model.wire.DecisionAnswer;
import health.consent.model.wire.IdLines;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.ops.DomainMetrics;
import health.consent.service.web.Input;
import health.consent.service.web.Limits;
import jakarta.inject.Named;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/** Decisions for the calling application only: the application is the token's subject, never a parameter. */
@Controller("/api/v1/decisions")
@Secured(Roles.APPLICATION)
@Tag(name = "Decisions")
public class DecisionController {

    /** The most patient ids one filter request may carry. */
    public static final int MAX_FILTER_IDS = 10_000;

    private final DecisionService decisions;
    private final ExecutorService blocking;
    private final Receipts receipts;
    private final Limits limits;
    private final DomainMetrics metrics;

    public DecisionController(DecisionService decisions, @Named(TaskExecutors.BLOCKING) ExecutorService blocking,
                              Receipts receipts, Limits limits, DomainMetrics metrics) {
        this.decisions = decisions;
        this.receipts = receipts;
        this.limits = limits;
        this.metrics = metrics;
        this.blocking = blocking;
    }

    @Serdeable
    public record FilterResult(List<String> permitted) {
    }

    /** A decision with its signed receipt. */
    @Serdeable
    public record ReceiptedDecision(Outcome decision, Reason reason, long version, String receipt) {
    }

    @Operation(summary = "May the calling application process this patient's data for this purpose? (APPLICATION)",
            description = "With receipt=true the answer adds 'receipt': a compact JWS (EdDSA) of {app, patient, purpose, "
                    + "decision, reason, version, iat}, checked with the key at /api/v1/audit/receipt-key.")
    @Get("/{patientId}/{purpose}")
    public CompletableFuture<Object> decide(Authentication authentication, @PathVariable String patientId,
                                            @PathVariable String purpose, @Nullable @QueryValue String receipt) {
        Input input = new Input();
        if (receipt != null && !receipt.equals("true") && !receipt.equals("false")) {
            input.problem("receipt", "must be true or false");
        }
        if (!PatientId.isValid(patientId)) {
            input.problem("patientId", "must match " + PatientId.PATTERN);
        }
        Purpose p = Purpose.fromWire(purpose).orElse(null);
        if (p == null) {
            input.problem("purpose", "must be one of " + Purpose.WIRE_NAMES);
        }
        input.check();
        ApplicationId application = Callers.application(authentication);
        PatientId patient = PatientId.of(patientId);
        // An answer in memory is given at once, on the request's own thread; only a miss waits on the database.
        boolean withReceipt = "true".equals(receipt);
        DecisionAnswer cached = decisions.cached(application, patient, p);
        if (cached != null) {
            return CompletableFuture.completedFuture(answer(application, patient, p, cached, withReceipt));
        }
        return CompletableFuture.supplyAsync(() -> answer(application, patient, p,
                decisions.decide(application, patient, p), withReceipt), blocking);
    }

    /** The answer as sent, counted by its reason; with its signed receipt when asked. */
    private Object answer(ApplicationId application, PatientId patient, Purpose purpose, DecisionAnswer a,
                          boolean withReceipt) {
        metrics.decided(a.reason());
        return withReceipt ? new ReceiptedDecision(a.decision(), a.reason(), a.version(),
                receipts.sign(application, patient, purpose, a)) : a;
    }

    @Operation(summary = "Which of these patients permit this purpose for the calling application? (APPLICATION)")
    @Post("/filter")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public FilterResult filter(Authentication authentication, @Body JsonNode body) {
        Input input = new Input();
        JsonNode request = input.body(body, Set.of("purpose", "patientIds"));
        Purpose purpose = input.oneOf(request, "", "purpose", Purpose::fromWire, Purpose.WIRE_NAMES);
        List<JsonNode> ids = input.array(request, "", "patientIds", MAX_FILTER_IDS, false);
        List<String> patientIds = new ArrayList<>(ids.size());
        int invalid = 0;
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            if (id.isString() && PatientId.isValid(id.getStringValue())) {
                patientIds.add(id.getStringValue());
            } else if (invalid++ < 10) {
                input.problem(Input.index("patientIds", i), "must match " + PatientId.PATTERN);
            }
        }
        if (invalid > 10) {
            input.problem("patientIds", (invalid - 10) + " more ids are invalid");
        }
        input.check();
        if (patientIds.isEmpty()) {
            return new FilterResult(List.of());
        }
        return new FilterResult(decisions.filter(Callers.application(authentication), purpose, patientIds));
    }

    @Operation(summary = "Which of these patients permit this purpose? Any number, as plain text (APPLICATION)",
            description = "The SDK's path for cohorts. The body is text/plain: patient ids, one per line, as many as the "
                    + "service's request size allows (1 MB, some 70,000 ids). The answer is text/plain: the ids that "
                    + "permit the purpose, one per line, each once, sorted by their bytes.")
    @Post(uri = "/cohort", consumes = MediaType.TEXT_PLAIN, produces = MediaType.TEXT_PLAIN)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public byte[] cohort(Authentication authentication, @Nullable @QueryValue String purpose,
                         @Nullable @Body String body) {
        Input input = new Input();
        Purpose p = purpose == null ? null : Purpose.fromWire(purpose).orElse(null);
        if (p == null) {
            input.problem("purpose", "must be one of " + Purpose.WIRE_NAMES);
        }
        String[] ids = lines(body == null ? "" : body, input);
        input.check();
        if (ids.length == 0) {
            return new byte[0];
        }
        ApplicationId application = Callers.application(authentication);
        // The quota filter took one decision call; a cohort counts one per 10,000 ids, as /filter does.
        limits.applicationDecisions(authentication.getName(), (ids.length - 1) / MAX_FILTER_IDS);
        return IdLines.encode(decisions.permittedAmong(application, p, ids));
    }

    /** The ids of a text body, one per line (a last line break, and carriage returns before line breaks, allowed). */
    private static String[] lines(String body, Input input) {
        List<String> ids = new ArrayList<>();
        int invalid = 0;
        int start = 0;
        while (start < body.length()) {
            int end = body.indexOf('\n', start);
            int next = end < 0 ? body.length() : end + 1;
            if (end < 0) {
                end = body.length();
            }
            if (end > start && body.charAt(end - 1) == '\r') {
                end--;
            }
            String id = body.substring(start, end);
            if (PatientId.isValid(id)) {
                ids.add(id);
            } else if (invalid++ < 10) {
                input.problem(Input.index("patientIds", ids.size() + invalid - 1), "must match " + PatientId.PATTERN);
            }
            start = next;
        }
        if (invalid > 10) {
            input.problem("patientIds", (invalid - 10) + " more ids are invalid");
        }
        return ids.toArray(String[]::new);
    }
}
