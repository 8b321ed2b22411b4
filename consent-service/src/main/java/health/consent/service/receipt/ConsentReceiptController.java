package health.consent.service.receipt;

import health.consent.service.receipt.ConsentReceipts.SignedReceipt;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;

/** The patient's consent receipts, one per event of their history. */
@Controller("/api/v1/me/receipts")
@Secured(Roles.PATIENT)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Patient")
public class ConsentReceiptController {

    private final ConsentReceipts receipts;

    public ConsentReceiptController(ConsentReceipts receipts) {
        this.receipts = receipts;
    }

    /** A receipt and its compact JWS (signed with the key at {@code /api/v1/audit/receipt-key}). */
    @Serdeable
    public record ReceiptView(Map<String, Object> receipt, String jws) {
    }

    @Operation(summary = "The signed receipt of one event of my history, by its seq (PATIENT, own events only)")
    @Get("/{seq}")
    public ReceiptView receipt(Authentication authentication, @PathVariable String seq) {
        long number;
        try {
            number = Long.parseLong(seq);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("seq", "must be the number of an event of your history");
        }
        if (number < 1) {
            throw ApiException.invalid("seq", "must be the number of an event of your history");
        }
        SignedReceipt r = ApiException.unwrap(receipts.of(Callers.patient(authentication).patient(), number));
        return new ReceiptView(r.receipt(), r.jws());
    }
}
