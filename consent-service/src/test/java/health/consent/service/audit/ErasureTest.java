package health.consent.service.audit;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.audit.Merkle;
import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Crypto-shredding: once a record and its salt are erased (after its retention period), its leaf
 * hash reveals nothing any more, and every other record's proof is as valid as before.
 */
class ErasureTest extends OnBothDatabases {

    @Test
    void erasing_a_record_and_its_salt_leaves_every_other_proof_valid() {
        AuditClient audit = new AuditClient(api);
        audit.activity(4);
        audit.checkpoint();
        List<JsonNode> rows = api.get("/api/v1/audit/access-records?size=1000&reason=Checking%20erasure%20of%20records",
                Tokens.regulator()).list("items");
        JsonNode erased = rows.stream().filter(r -> !r.get("leafIndex").isNull()
                && r.get("accessorType").getStringValue().equals("APPLICATION")).findFirst().orElseThrow();
        String patient = erased.get("patientId").getStringValue();
        long erasedLeaf = erased.get("leafIndex").getLongValue();

        service.sql("DELETE FROM access_record WHERE id = '" + erased.get("id").getStringValue() + "'");

        assertThat(api.get("/api/v1/me/proofs/" + erasedLeaf, Tokens.patient(patient)).status())
                .as("nothing is left to prove about the erased record").isEqualTo(404);
        audit.activity(1);
        long size = audit.checkpoint().treeSize();
        String[] note = api.get("/log/checkpoint", null).body().split("\n");
        byte[] root = Base64.getDecoder().decode(note[2]);
        assertThat(Long.parseLong(note[1])).isEqualTo(size);
        int checked = 0;
        for (long leaf = 0; leaf < size; leaf++) {
            if (leaf == erasedLeaf) {
                continue;
            }
            Res proof = api.get("/api/v1/audit/proofs/inclusion?leaf=" + leaf + "&treeSize=" + size, Tokens.regulator());
            List<byte[]> path = proof.list("proof").stream().map(p -> Merkle.unhex(p.getStringValue())).toList();
            assertThat(Merkle.verifyInclusion(leaf, size, Merkle.unhex(proof.str("leafHash")), path, root))
                    .as("leaf %d", leaf).isTrue();
            checked++;
        }
        assertThat(checked).isGreaterThan(8);
        // The erased leaf's hash stays in the tree, and confirms nothing without the record and its salt.
        Res kept = api.get("/api/v1/audit/proofs/inclusion?leaf=" + erasedLeaf + "&treeSize=" + size, Tokens.regulator());
        assertThat(kept.str("leafHash")).matches("[0-9a-f]{64}");
    }
}
