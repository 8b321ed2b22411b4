package health.consent.service.audit;

import health.consent.model.AccessRecord;
import health.consent.model.AccessorType;
import health.consent.model.ActorType;
import health.consent.model.Channel;
import health.consent.model.ConsentEvent;
import health.consent.model.ConsentState;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.compliance.FindingKind;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/**
 * What regulators read. Field names are those of the audit leaves
 * ({@link health.consent.model.audit.AuditLeaves}), so that an exported row can be hashed again
 * and checked against the log with {@code leafIndex} (null for a row written in the last instant
 * and not yet appended).
 */
public final class AuditViews {

    private AuditViews() {
    }

    @Serdeable
    public record AuditAccessRecord(String id, Long leafIndex, AccessorType accessorType, String applicationId,
                                    String patientId, Purpose purpose, String actor, String dataCategory,
                                    Outcome outcome, String reason, Instant at, Instant receivedAt, String salt) {

        static AuditAccessRecord of(AccessRecord r) {
            return new AuditAccessRecord(r.id(), r.leafIndex(), r.accessorType(), r.applicationId(), r.patientId(),
                    r.purpose(), r.actor(), r.dataCategory(), r.outcome(), r.reason(), r.at(), r.receivedAt(), r.salt());
        }

        static final List<String> COLUMNS = List.of("id", "leafIndex", "accessorType", "applicationId", "patientId",
                "purpose", "actor", "dataCategory", "outcome", "reason", "at", "receivedAt", "salt");

        List<Object> values() {
            return java.util.Arrays.asList(id, leafIndex, accessorType, applicationId, patientId, purpose, actor,
                    dataCategory, outcome, reason, at, receivedAt, salt);
        }
    }

    @Serdeable
    public record AuditConsentEvent(long seq, Long leafIndex, String patientId, String applicationId, Purpose purpose,
                                    ConsentState state, ConsentState previousState, int noticeVersion,
                                    ActorType decidedByType, String decidedBy, Channel channel, Long cause,
                                    Instant at, String salt, Instant expiresAt) {

        static AuditConsentEvent of(ConsentEvent e) {
            return new AuditConsentEvent(e.seq(), e.leafIndex(), e.patient().value(), e.application().value(),
                    e.purpose(), e.state(), e.previousState(), e.noticeVersion(), e.decidedBy().type(),
                    e.decidedBy().id(), e.channel(), e.cause(), e.at(), e.salt(), e.expiresAt());
        }

        static final List<String> COLUMNS = List.of("seq", "leafIndex", "patientId", "applicationId", "purpose",
                "state", "previousState", "noticeVersion", "decidedByType", "decidedBy", "channel", "cause", "at", "salt",
                "expiresAt");

        List<Object> values() {
            return java.util.Arrays.asList(seq, leafIndex, patientId, applicationId, purpose, state, previousState,
                    noticeVersion, decidedByType, decidedBy, channel, cause, at, salt, expiresAt);
        }
    }

    /**
     * A finding: what is wrong, the access record that shows it and the consent events that prove
     * it, each with its leaf of the audit log, so that the regulator can prove it offline.
     */
    @Serdeable
    public record AuditFinding(long id, FindingKind kind, String applicationId, String patientId, String purpose,
                               Instant at, String consentReason, String detail, RecordRef record,
                               List<EventRef> events, Instant foundAt) {

        static AuditFinding of(FindingRepository.Finding f) {
            return new AuditFinding(f.id(), f.kind(), f.applicationId(), f.patientId(), f.purpose(), f.at(),
                    f.consentReason(), f.detail(), new RecordRef(f.recordId(), f.recordLeaf()),
                    f.events().stream().map(e -> new EventRef(e.seq(), e.leafIndex())).toList(), f.foundAt());
        }

        static final List<String> COLUMNS = List.of("id", "kind", "applicationId", "patientId", "purpose", "at",
                "consentReason", "detail", "recordId", "recordLeafIndex", "eventLeafIndexes", "foundAt");

        List<Object> values() {
            return java.util.Arrays.asList(id, kind, applicationId, patientId, purpose, at, consentReason, detail,
                    record.id(), record.leafIndex(),
                    String.join(" ", events.stream().map(e -> String.valueOf(e.leafIndex())).toList()), foundAt);
        }
    }

    /**
     * A page of findings. {@code totalItems} is exact when {@code totalExact}; otherwise more findings
     * match than it says (it is the count's cap, 10,000): narrow the filters.
     */
    @Serdeable
    public record FindingsPage(List<AuditFinding> items, int page, int size, long totalItems, int totalPages,
                               boolean totalExact) {
    }

    /** The access record a finding is about. */
    @Serdeable
    public record RecordRef(String id, long leafIndex) {
    }

    /** A consent event that proves a finding: its number in the history and its leaf. */
    @Serdeable
    public record EventRef(long seq, long leafIndex) {
    }

    /** For one month (UTC, "2026-11"), one application and purpose: the decisions made, by kind. */
    @Serdeable
    public record MonthlyConsent(String month, String applicationId, Purpose purpose, long granted, long refused,
                                 long withdrawn) {
    }

    /** For each application and declared purpose, how its patients decided. */
    @Serdeable
    public record ConsentRate(String applicationId, String applicationName, Purpose purpose, long granted,
                              long refused, long withdrawn, long notSet, long patients) {
    }

    /** An inclusion proof: leaf {@code leafIndex} is in the tree of {@code treeSize} leaves. */
    @Serdeable
    public record InclusionProof(long leafIndex, long treeSize, String leafHash, List<String> proof) {
    }

    /** A consistency proof: the tree of {@code from} leaves is a prefix of the tree of {@code to} leaves. */
    @Serdeable
    public record ConsistencyProof(long from, long to, List<String> proof) {
    }

    /** The key that signs checkpoints. */
    @Serdeable
    public record PublicKeyView(String keyId, String algorithm, String publicKey) {
    }
}
