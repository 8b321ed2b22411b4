package health.consent.service.audit;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.audit.Checkpoint;
import health.consent.model.audit.Merkle;
import health.consent.sdk.verifier.AuditVerifier;
import health.consent.service.support.AuditKeys;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Someone with database access rewrites the log behind the service's back; the offline verifier
 * notices. Each test tampers with a database of its own.
 */
class TamperDetectionTest {

    private static final AuditVerifier VERIFIER = new AuditVerifier(AuditKeys.publicKey());

    private static TestService fresh(String database) {
        return TestService.start("H2".equals(database) ? Databases.h2() : Databases.postgres());
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void a_record_altered_in_the_database_is_detected(String database) {
        try (TestService service = fresh(database)) {
            AuditClient audit = new AuditClient(service.api());
            audit.activity(2);
            String app = audit.activity(2);
            Checkpoint c = audit.checkpoint();
            service.sql("UPDATE access_record SET actor = 'someone-else' WHERE application_id = '" + app + "'");
            List<Map<String, Object>> leaves = audit.exportedLeaves(c.treeSize());
            int altered = 0;
            for (int i = 0; i < leaves.size(); i++) {
                Map<String, Object> leaf = leaves.get(i);
                boolean wasAltered = app.equals(leaf.get("applicationId")) && "someone-else".equals(leaf.get("actor"));
                assertThat(VERIFIER.verifyRecord(c, leaf, i, audit.inclusion(i, c.treeSize()))).as("leaf %d", i)
                        .isEqualTo(!wasAltered);
                altered += wasAltered ? 1 : 0;
            }
            assertThat(altered).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void a_checkpoint_of_a_rewritten_history_fails_the_consistency_proof(String database) {
        try (TestService service = fresh(database)) {
            AuditClient audit = new AuditClient(service.api());
            audit.activity(3);
            Checkpoint honest = audit.checkpoint();
            // The insider rewrites the first leaf and every stored subtree above it, then lets the
            // service sign the rewritten log.
            List<byte[]> hashes = new ArrayList<>(audit.exportedLeaves(honest.treeSize()).stream()
                    .map(AuditVerifier::leafHash).toList());
            hashes.set(0, Merkle.leafHash("rewritten".getBytes(StandardCharsets.UTF_8)));
            rewriteTree(service, hashes);
            audit.activity(1);
            Checkpoint rewritten = audit.checkpoint();
            assertThat(VERIFIER.verifyCheckpoint(rewritten)).as("the signature itself is valid").isTrue();
            assertThat(VERIFIER.verifyConsistency(honest, rewritten,
                    audit.consistency(honest.treeSize(), rewritten.treeSize()))).isFalse();
        }
    }

    /**
     * Replaces the first leaves of the stored tree with {@code hashes} (the log is small: one tile),
     * keeping those after them (the regulator's reads of the export were logged since).
     */
    private static void rewriteTree(TestService service, List<byte[]> hashes) {
        // Once the log has taken every leaf waiting (the reads of the export were logged since): a
        // tile read while the log appends to it would be written back without the appended leaves.
        org.awaitility.Awaitility.await().until(() ->
                service.count("SELECT COUNT(*) FROM consent_event WHERE leaf_index IS NULL") == 0
                        && service.count("SELECT COUNT(*) FROM access_batch WHERE first_leaf IS NULL") == 0);
        byte[] tile = service.bytes("SELECT hashes FROM merkle_tile WHERE lvl = 0 AND idx = 0");
        for (int i = 0; i < hashes.size(); i++) {
            System.arraycopy(hashes.get(i), 0, tile, 32 * i, 32);
        }
        service.sql("UPDATE merkle_tile SET hashes = ? WHERE lvl = 0 AND idx = 0", (Object) tile);
    }
}
