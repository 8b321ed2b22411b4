package health.consent.sdk;

import health.consent.model.audit.AuditLeaves;
import health.consent.model.audit.Checkpoint;
import health.consent.model.audit.Merkle;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks the consent service's audit log offline, with nothing but the service's public key
 * (from {@code GET /api/v1/audit/public-key}, or better, published out of band):
 *
 * <ul>
 *   <li>that a checkpoint was signed by the service ({@link #verifyCheckpoint});</li>
 *   <li>that an exported consent event or access record is in the log, unchanged
 *       ({@link #verifyRecord}, or {@link #verifyInclusion} with a leaf hash);</li>
 *   <li>that a later checkpoint extends an earlier one, so history was never rewritten
 *       ({@link #verifyConsistency}).</li>
 * </ul>
 *
 * <p>Hashing is RFC 9162's; leaves are the RFC 8785 canonical JSON described in
 * {@link AuditLeaves}. A command-line entry is {@link AuditVerifierCli}.
 */
public final class AuditVerifier {

    private final PublicKey key;

    public AuditVerifier(PublicKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /** A verifier for the base64 X.509 Ed25519 key the service publishes. */
    public static AuditVerifier withPublicKey(String base64) {
        return new AuditVerifier(Checkpoint.publicKey(base64));
    }

    public boolean verifyCheckpoint(Checkpoint checkpoint) {
        return checkpoint.verify(key);
    }

    /** The signed checkpoint's tree holds {@code leafHash} at {@code leafIndex}, by the proof given. */
    public boolean verifyInclusion(Checkpoint checkpoint, long leafIndex, byte[] leafHash, List<String> proof) {
        return verifyCheckpoint(checkpoint) && Merkle.verifyInclusion(leafIndex, checkpoint.treeSize(), leafHash,
                proof.stream().map(Merkle::unhex).toList(), Merkle.unhex(checkpoint.rootHash()));
    }

    /** The exported record, hashed again here, is leaf {@code leafIndex} of the signed checkpoint's tree. */
    public boolean verifyRecord(Checkpoint checkpoint, Map<String, Object> exported, long leafIndex, List<String> proof) {
        return verifyInclusion(checkpoint, leafIndex, leafHash(exported), proof);
    }

    /** Both checkpoints are the service's, and {@code older}'s tree is a prefix of {@code newer}'s. */
    public boolean verifyConsistency(Checkpoint older, Checkpoint newer, List<String> proof) {
        return verifyCheckpoint(older) && verifyCheckpoint(newer) && Merkle.verifyConsistency(older.treeSize(),
                newer.treeSize(), Merkle.unhex(older.rootHash()), Merkle.unhex(newer.rootHash()),
                proof.stream().map(Merkle::unhex).toList());
    }

    /**
     * The leaf hash of a consent event or access record as the audit API exports it (JSON, read
     * into a map). A consent event has a {@code seq}; an access record has an {@code id}.
     */
    public static byte[] leafHash(Map<String, Object> r) {
        if (r.get("seq") != null) {
            return AuditLeaves.hash(AuditLeaves.consentEvent(number(r, "seq"), text(r, "patientId"),
                    text(r, "applicationId"), text(r, "purpose"), text(r, "state"), text(r, "previousState"),
                    number(r, "noticeVersion"), text(r, "decidedByType"), text(r, "decidedBy"), text(r, "channel"),
                    r.get("cause") == null ? null : number(r, "cause"), Instant.parse(text(r, "at"))));
        }
        if (r.get("id") != null) {
            return AuditLeaves.hash(AuditLeaves.accessRecord(text(r, "id"), text(r, "accessorType"),
                    text(r, "applicationId"), text(r, "patientId"), text(r, "purpose"), text(r, "actor"),
                    text(r, "dataCategory"), text(r, "outcome"), text(r, "reason"), Instant.parse(text(r, "at"))));
        }
        throw new IllegalArgumentException("neither a consent event (seq) nor an access record (id)");
    }

    /** A checkpoint from the JSON the service answers. */
    public static Checkpoint checkpoint(Map<String, Object> json) {
        return new Checkpoint(number(json, "treeSize"), text(json, "rootHash"), text(json, "signature"),
                text(json, "keyId"), Instant.parse(text(json, "at")));
    }

    private static String text(Map<String, Object> r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }

    private static long number(Map<String, Object> r, String field) {
        Object v = r.get(field);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(field + " must be a number");
        }
        return n.longValue();
    }
}
