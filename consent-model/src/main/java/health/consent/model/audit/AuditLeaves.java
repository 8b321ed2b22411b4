package health.consent.model.audit;

import health.consent.model.AccessRecord;
import health.consent.model.ConsentEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What each leaf of the audit log (v2) holds: the canonical JSON (RFC 8785) of one consent event or
 * one access record, with the fields below and nothing else. Times are ISO-8601 UTC as
 * {@link Instant#toString()} writes them (to the microsecond at most); {@code salt} is 32 random
 * bytes in lowercase hex, kept with the record, so that a leaf hash confirms no guess of what it
 * holds. The leaf hash is {@code SHA-256(0x00 || canonical bytes)}.
 *
 * <pre>
 * consent event: {"at","cause","channel","decidedBy","decidedByType","applicationId","kind":"consent-event",
 *                 "noticeVersion","patientId","previousState","purpose","salt","seq","state"}
 * access record: {"accessorType","actor","applicationId","at","dataCategory","id","kind":"access-record",
 *                 "outcome","patientId","purpose","reason","salt"}
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
        f.put("salt", requireSalt(e.salt()));
        if (e.expiresAt() != null) {
            f.put("expiresAt", e.expiresAt().toString());
        }
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
        f.put("salt", requireSalt(r.salt()));
        return f;
    }

    /**
     * The leaf hash of an access record: the canonical bytes of {@link #accessRecord}, written
     * straight in their keys' order rather than through a map to sort, since the service hashes
     * every record it stores as it stores it.
     */
    public static byte[] accessRecordHash(AccessRecord r) {
        StringBuilder out = new StringBuilder(400);
        field(out, '{', "accessorType", r.accessorType().name());
        field(out, ',', "actor", r.actor());
        field(out, ',', "applicationId", r.applicationId());
        field(out, ',', "at", IsoInstant.format(r.at()));
        field(out, ',', "dataCategory", r.dataCategory());
        field(out, ',', "id", r.id());
        field(out, ',', "kind", ACCESS_RECORD);
        field(out, ',', "outcome", r.outcome().name());
        field(out, ',', "patientId", r.patientId());
        field(out, ',', "purpose", r.purpose() == null ? null : r.purpose().name());
        field(out, ',', "reason", r.reason());
        // Lowercase hex, which JSON writes as it is.
        out.append(",\"salt\":\"").append(requireSalt(r.salt())).append("\"}");
        return Merkle.leafHash(out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void field(StringBuilder out, char before, String key, String value) {
        out.append(before).append('"').append(key).append("\":");
        if (value == null) {
            out.append("null");
        } else {
            CanonicalJson.string(out, value);
        }
    }

    /** A salt is 32 bytes in lowercase hex: a leaf without one would reveal its record to a guess. */
    private static String requireSalt(String salt) {
        boolean hex = salt != null && salt.length() == 64;
        for (int i = 0; hex && i < 64; i++) {
            char c = salt.charAt(i);
            hex = c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
        }
        if (!hex) {
            throw new IllegalArgumentException("a leaf's salt is 32 bytes in lowercase hex");
        }
        return salt;
    }

    /** A new salt: 32 bytes from a strong random source, in lowercase hex. */
    public static String newSalt() {
        byte[] salt = new byte[32];
        RANDOM.nextBytes(salt);
        return Merkle.hex(salt);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    public static byte[] hash(Map<String, Object> fields) {
        return Merkle.leafHash(CanonicalJson.bytes(fields));
    }
}
