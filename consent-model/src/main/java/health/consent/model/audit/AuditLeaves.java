package health.consent.model.audit;

import health.consent.model.AccessRecord;
import health.consent.model.ConsentEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What each leaf of the audit log holds: the canonical JSON (RFC 8785) of one consent event or
 * one access record, with the fields below and nothing else. Times are ISO-8601 UTC as
 * {@link Instant#toString()} writes them (to the microsecond at most). The leaf hash is
 * {@code SHA-256(0x00 || canonical bytes)}.
 *
 * <pre>
 * consent event: {"at","cause","channel","decidedBy","decidedByType","applicationId","kind":"consent-event",
 *                 "noticeVersion","patientId","previousState","purpose","seq","state"}
 * access record: {"accessorType","actor","applicationId","at","dataCategory","id","kind":"access-record",
 *                 "outcome","patientId","purpose","reason"}
 * </pre>
 */
public final class AuditLeaves {

    public static final String CONSENT_EVENT = "consent-event";
    public static final String ACCESS_RECORD = "access-record";

    private AuditLeaves() {
    }

    /** The fields of a consent event's leaf. */
    public static Map<String, Object> consentEvent(ConsentEvent e) {
        Map<String, Object> f = new HashMap<>();
        f.put("kind", CONSENT_EVENT);
        f.put("seq", e.seq());
        f.put("patientId", e.patient().value());
        f.put("applicationId", e.application().value());
        f.put("purpose", e.purpose().name());
        f.put("state", e.state().name());
        f.put("previousState", e.previousState().name());
        f.put("noticeVersion", (long) e.noticeVersion());
        f.put("decidedByType", e.decidedBy().type().name());
        f.put("decidedBy", e.decidedBy().id());
        f.put("channel", e.channel().name());
        f.put("cause", e.cause());
        f.put("at", e.at().toString());
        return f;
    }

    /**
     * The fields of an access record's leaf. {@code purpose} is null and {@code reason} set for a
     * regulator's read; {@code applicationId} is then the regulator.
     */
    public static Map<String, Object> accessRecord(AccessRecord r) {
        Map<String, Object> f = new HashMap<>();
        f.put("kind", ACCESS_RECORD);
        f.put("id", r.id());
        f.put("accessorType", r.accessorType().name());
        f.put("applicationId", r.applicationId());
        f.put("patientId", r.patientId());
        f.put("purpose", r.purpose() == null ? null : r.purpose().name());
        f.put("actor", r.actor());
        f.put("dataCategory", r.dataCategory());
        f.put("outcome", r.outcome().name());
        f.put("reason", r.reason());
        f.put("at", r.at().toString());
        return f;
    }

    public static byte[] hash(Map<String, Object> fields) {
        return Merkle.leafHash(CanonicalJson.bytes(fields));
    }
}
