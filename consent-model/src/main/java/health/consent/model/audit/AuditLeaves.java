package health.consent.model.audit;

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

    /** The fields of a consent event's leaf. {@code cause} may be null. */
    public static Map<String, Object> consentEvent(long seq, String patientId, String applicationId, String purpose,
                                                   String state, String previousState, long noticeVersion,
                                                   String decidedByType, String decidedBy, String channel, Long cause,
                                                   Instant at) {
        Map<String, Object> f = new HashMap<>();
        f.put("kind", CONSENT_EVENT);
        f.put("seq", seq);
        f.put("patientId", patientId);
        f.put("applicationId", applicationId);
        f.put("purpose", purpose);
        f.put("state", state);
        f.put("previousState", previousState);
        f.put("noticeVersion", noticeVersion);
        f.put("decidedByType", decidedByType);
        f.put("decidedBy", decidedBy);
        f.put("channel", channel);
        f.put("cause", cause);
        f.put("at", at.toString());
        return f;
    }

    /**
     * The fields of an access record's leaf. {@code purpose} is null and {@code reason} set for a
     * regulator's read; {@code applicationId} is then the regulator.
     */
    public static Map<String, Object> accessRecord(String id, String accessorType, String applicationId,
                                                   String patientId, String purpose, String actor,
                                                   String dataCategory, String outcome, String reason, Instant at) {
        Map<String, Object> f = new HashMap<>();
        f.put("kind", ACCESS_RECORD);
        f.put("id", id);
        f.put("accessorType", accessorType);
        f.put("applicationId", applicationId);
        f.put("patientId", patientId);
        f.put("purpose", purpose);
        f.put("actor", actor);
        f.put("dataCategory", dataCategory);
        f.put("outcome", outcome);
        f.put("reason", reason);
        f.put("at", at.toString());
        return f;
    }

    public static byte[] hash(Map<String, Object> fields) {
        return Merkle.leafHash(CanonicalJson.bytes(fields));
    }
}
