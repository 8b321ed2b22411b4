package health.consent.service.receipt;

import health.consent.model.ConsentEvent;
import health.consent.model.PatientId;
import health.consent.model.audit.Merkle;
import health.consent.model.wire.Json;
import health.consent.service.audit.AuditSigner;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.Catalogue.Notice;
import health.consent.service.catalogue.CatalogueRepository;
import health.consent.service.consent.ConsentRepository;
import health.consent.service.db.Clock;
import health.consent.service.db.Transactions;
import health.consent.service.decision.Receipts;
import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Consent receipts: for each consent event, a record shaped after ISO/IEC TS 27560 (the consent
 * record information structure), signed by the service with the receipt key.
 */
@Singleton
public class ConsentReceipts {

    /** The JWS {@code typ} of consent receipts. */
    public static final String TYPE = "consent-receipt+jwt";

    private final Transactions transactions;
    private final ConsentRepository consents;
    private final CatalogueRepository catalogue;
    private final Receipts receipts;
    private final AuditSigner log;

    public ConsentReceipts(Transactions transactions, ConsentRepository consents, CatalogueRepository catalogue,
                           Receipts receipts, AuditSigner log) {
        this.transactions = transactions;
        this.consents = consents;
        this.catalogue = catalogue;
        this.receipts = receipts;
        this.log = log;
    }

    /** A receipt: what it says, and the same signed (a compact JWS whose payload is {@code receipt}). */
    public record SignedReceipt(Map<String, Object> receipt, String jws) {
    }

    /** The receipt of one of the patient's consent events; not found for anyone else's. */
    public Result<SignedReceipt> of(PatientId patient, long seq) {
        return transactions.read(() -> {
            Optional<ConsentEvent> found = consents.eventOf(patient, seq);
            if (found.isEmpty()) {
                return Result.refused(Refusal.notFound("no consent event " + seq + " in your history"));
            }
            ConsentEvent e = found.get();
            Application app = catalogue.find(e.application()).orElse(null);
            Notice notice = catalogue.notice(e.application(), e.purpose(), e.noticeVersion()).orElse(null);
            Map<String, Object> r = receipt(e, app, notice, log.origin());
            return Result.ok(new SignedReceipt(r, receipts.sign(r, TYPE)));
        });
    }

    /** The receipt's fields, named after ISO/IEC TS 27560's consent record where it names them. */
    static Map<String, Object> receipt(ConsentEvent e, Application app, Notice notice, String logOrigin) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("schema", "ISO/IEC TS 27560 consent record (shape)");
        r.put("receiptId", logOrigin + "/consent-event/" + e.seq());
        r.put("receiptTimestamp", Clock.now().toString());
        Map<String, Object> controller = new LinkedHashMap<>();
        controller.put("name", app == null ? null : app.publisher());
        controller.put("applicationId", e.application().value());
        controller.put("applicationName", app == null ? null : app.name());
        r.put("controller", controller);
        r.put("piiPrincipalId", e.patient().value());
        Map<String, Object> purpose = new LinkedHashMap<>();
        purpose.put("purpose", e.purpose().name());
        purpose.put("primary", e.purpose().isPrimary());
        purpose.put("noticeVersion", (long) e.noticeVersion());
        purpose.put("noticeSha256", notice == null ? null : noticeHash(notice));
        r.put("purposes", List.of(purpose));
        r.put("state", e.state().name());
        r.put("previousState", e.previousState().name());
        r.put("consentTimestamp", e.at().toString());
        r.put("expiresAt", e.expiresAt() == null ? null : e.expiresAt().toString());
        Map<String, Object> decidedBy = new LinkedHashMap<>();
        decidedBy.put("type", e.decidedBy().type().name());
        decidedBy.put("id", e.decidedBy().id());
        decidedBy.put("onBehalfOf", e.patient().value());
        r.put("decidedBy", decidedBy);
        r.put("channel", e.channel().name());
        r.put("logOrigin", logOrigin);
        r.put("leafIndex", e.leafIndex());
        return r;
    }

    /**
     * The SHA-256 (hex) of a notice version's text: of the canonical JSON {@code {"en":...,"fr":...}}
     * (keys sorted, UTF-8), so that anyone holding the text can check it is the one agreed to.
     */
    public static String noticeHash(Notice notice) {
        Map<String, Object> text = new TreeMap<>();
        text.put("en", notice.en());
        text.put("fr", notice.fr());
        try {
            return Merkle.hex(MessageDigest.getInstance("SHA-256")
                    .digest(Json.write(text).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
