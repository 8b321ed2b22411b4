package health.consent.service.audit;

import health.consent.model.PatientId;
import health.consent.model.audit.AuditLeaves;
import health.consent.model.audit.Merkle;
import health.consent.service.access.AccessRecordRepository;
import health.consent.service.consent.ConsentRepository;
import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A patient's proof that one of their records is in the public log: the record as its leaf holds
 * it (salt included), its inclusion proof, and the signed checkpoint it leads to. Only the
 * patient's own leaves: any other index is answered as if it did not exist.
 */
@Singleton
public class ProofService {

    /**
     * The proof. {@code leaf} holds exactly the fields hashed into the leaf (RFC 8785 canonical
     * JSON, then {@code SHA-256(0x00 || bytes)}); {@code checkpoint} is the signed note whose root
     * the proof leads to.
     */
    @Serdeable
    public record PatientProof(long leafIndex, long treeSize, Map<String, Object> leaf, String leafHash,
                               List<String> proof, String checkpoint) {
    }

    private final ConsentRepository consentEvents;
    private final AccessRecordRepository accessRecords;
    private final MerkleStore tree;
    private final AuditLog log;

    public ProofService(ConsentRepository consentEvents, AccessRecordRepository accessRecords, MerkleStore tree,
                        AuditLog log) {
        this.consentEvents = consentEvents;
        this.accessRecords = accessRecords;
        this.tree = tree;
        this.log = log;
    }

    public Result<PatientProof> proof(PatientId patient, long leafIndex) {
        Optional<Map<String, Object>> leaf = consentEvents.atLeaf(leafIndex)
                .filter(e -> e.patient().equals(patient)).map(AuditLeaves::consentEvent)
                .or(() -> accessRecords.atLeaf(leafIndex).filter(r -> patient.value().equals(r.patientId()))
                        .map(AuditLeaves::accessRecord));
        if (leaf.isEmpty()) {
            return Result.refused(Refusal.notFound("no record of yours at that leaf"));
        }
        CheckpointRepository.Published published = log.latestPublished();
        if (published.checkpoint().treeSize() <= leafIndex) {
            log.publish();
            published = log.latestPublished();
        }
        long size = published.checkpoint().treeSize();
        return Result.ok(new PatientProof(leafIndex, size, leaf.get(), Merkle.hex(tree.leaf(leafIndex)),
                tree.inclusionProof(leafIndex, size).stream().map(Merkle::hex).toList(), published.note().format()));
    }
}
