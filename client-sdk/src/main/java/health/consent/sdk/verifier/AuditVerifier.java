package health.consent.sdk.verifier;

import health.consent.model.AccessRecord;
import health.consent.model.AccessorType;
import health.consent.model.ActorType;
import health.consent.model.ApplicationId;
import health.consent.model.Channel;
import health.consent.model.ConsentEvent;
import health.consent.model.ConsentState;
import health.consent.model.DecidedBy;
import health.consent.model.Outcome;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.audit.AuditLeaves;
import health.consent.model.audit.Checkpoint;
import health.consent.model.audit.Merkle;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

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
 * {@link AuditLeaves}, built from the model's {@link ConsentEvent} and {@link AccessRecord}, as
 * the service builds them. A command-line entry is {@link AuditVerifierCli}.
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

    /**
     * The exported record, hashed again here, is leaf {@code leafIndex} of the signed checkpoint's
     * tree. A record whose values the model refuses (an unknown state, a malformed patient id...)
     * is not the one the service logged: false.
     */
    public boolean verifyRecord(Checkpoint checkpoint, Map<String, Object> exported, long leafIndex, List<String> proof) {
        byte[] hash;
        try {
            hash = leafHash(exported);
        } catch (RefusedValue e) {
            return false;
        }
        return verifyInclusion(checkpoint, leafIndex, hash, proof);
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
     *
     * @throws IllegalArgumentException when the row is neither, or a value cannot be read as the model's
     */
    public static byte[] leafHash(Map<String, Object> r) {
        if (r.get("seq") != null) {
            return AuditLeaves.hash(AuditLeaves.consentEvent(consentEvent(r)));
        }
        if (r.get("id") != null) {
            return AuditLeaves.hash(AuditLeaves.accessRecord(accessRecord(r)));
        }
        throw new IllegalArgumentException("neither a consent event (seq) nor an access record (id)");
    }

    /**
     * Whether a checkpoint note ({@code GET /log/checkpoint}) is signed by the log's key and
     * cosigned by at least {@code quorum} of the given witnesses (c2sp.org/tlog-cosignature):
     * a checkpoint shown to one reader only would lack independent witnesses' cosignatures.
     */
    public static boolean verifyCosigned(String note, String logKey, List<String> witnessKeys, int quorum) {
        try {
            health.consent.model.audit.SignedNote.Note parsed = health.consent.model.audit.SignedNote.parse(note);
            if (!health.consent.model.audit.SignedNote.verify(parsed,
                    health.consent.model.audit.SignedNote.VerifierKey.parse(logKey))) {
                return false;
            }
            long cosigned = witnessKeys.stream().map(health.consent.model.audit.SignedNote.VerifierKey::parse)
                    .filter(k -> health.consent.model.audit.Cosignature.verify(parsed, k).isPresent()).count();
            return cosigned >= quorum;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A checkpoint from the JSON the service answers. */
    public static Checkpoint checkpoint(Map<String, Object> json) {
        return new Checkpoint(number(json, "treeSize"), text(json, "rootHash"), text(json, "signature"),
                text(json, "keyId"), Instant.parse(text(json, "at")));
    }

    /** An exported consent event, as the model's event. */
    private static ConsentEvent consentEvent(Map<String, Object> r) {
        long notice = number(r, "noticeVersion");
        if (notice != (int) notice) {
            throw new RefusedValue("noticeVersion", notice);
        }
        return new ConsentEvent(number(r, "seq"), model(r, "patientId", PatientId::of),
                model(r, "applicationId", ApplicationId::of), value(r, "purpose", Purpose.class),
                value(r, "state", ConsentState.class), value(r, "previousState", ConsentState.class), (int) notice,
                new DecidedBy(value(r, "decidedByType", ActorType.class), model(r, "decidedBy", id -> id)),
                value(r, "channel", Channel.class), r.get("cause") == null ? null : number(r, "cause"),
                Instant.parse(text(r, "at")), leafIndex(r), text(r, "salt"),
                r.get("expiresAt") == null ? null : Instant.parse(text(r, "expiresAt")));
    }

    /** An exported access record, as the model's record. {@code receivedAt} is not part of the leaf. */
    private static AccessRecord accessRecord(Map<String, Object> r) {
        return new AccessRecord(text(r, "id"), value(r, "accessorType", AccessorType.class),
                text(r, "applicationId"), text(r, "patientId"),
                r.get("purpose") == null ? null : value(r, "purpose", Purpose.class), text(r, "actor"),
                text(r, "dataCategory"), value(r, "outcome", Outcome.class), text(r, "reason"),
                Instant.parse(text(r, "at")), null, leafIndex(r), text(r, "salt"));
    }

    /** The model's value of a text field; a missing or refused value was not written by the service. */
    private static <T> T model(Map<String, Object> r, String field, Function<String, T> read) {
        String text = text(r, field);
        if (text == null) {
            throw new RefusedValue(field, null);
        }
        try {
            return read.apply(text);
        } catch (IllegalArgumentException e) {
            throw new RefusedValue(field, text);
        }
    }

    private static <E extends Enum<E>> E value(Map<String, Object> r, String field, Class<E> type) {
        return model(r, field, name -> Enum.valueOf(type, name));
    }

    private static Long leafIndex(Map<String, Object> r) {
        return r.get("leafIndex") instanceof Number n ? n.longValue() : null;
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

    /** A value of an exported row that the model refuses: the row is not one the service logged. */
    private static final class RefusedValue extends IllegalArgumentException {

        RefusedValue(String field, Object value) {
            super(field + " cannot be " + value);
        }
    }
}
