package health.consent.service.decision;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The key that checks decision receipts, published beside the audit log's key. */
@Controller("/api/v1/audit/receipt-key")
@Secured(SecurityRule.IS_ANONYMOUS)
@Tag(name = "Audit")
public class ReceiptKeyController {

    private final Receipts receipts;

    public ReceiptKeyController(Receipts receipts) {
        this.receipts = receipts;
    }

    @Operation(summary = "The Ed25519 public key of decision receipts, as a JWK (anyone)")
    @Get
    public HttpResponse<String> key() {
        return HttpResponse.ok(receipts.jwk()).contentType(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "public, max-age=3600");
    }
}
