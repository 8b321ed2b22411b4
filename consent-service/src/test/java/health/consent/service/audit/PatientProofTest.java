package health.consent.service.audit;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.model.audit.Merkle;
import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A patient proves that their own records are in the public log; nobody learns about anyone else's leaves. */
class PatientProofTest extends OnBothDatabases {

    /** RFC 8785 for a flat object of strings, whole numbers and nulls: what a leaf holds. */
    private static byte[] canonical(JsonNode leaf) {
        Map<String, JsonNode> sorted = new TreeMap<>();
        leaf.entries().forEach(e -> sorted.put(e.getKey(), e.getValue()));
        StringBuilder out = new StringBuilder("{");
        sorted.forEach((k, v) -> {
            out.append(out.length() > 1 ? "," : "").append('"').append(k).append("\":");
            out.append(v.isNull() ? "null" : v.isNumber() ? String.valueOf(v.getLongValue())
                    : "\"" + v.getStringValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        });
        return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The patient connects the application; returns the leaf of that event, once the log holds it. */
    private static long connectedAndLogged(String app, String patient) {
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        await().until(() -> !api.get("/api/v1/me/consents/history", Tokens.patient(patient)).at("items[0].leafIndex")
                .isNull());
        return api.get("/api/v1/me/consents/history", Tokens.patient(patient)).num("items[0].leafIndex");
    }

    @Test
    void a_patient_gets_the_proof_of_their_own_records_and_it_checks_against_the_signed_checkpoint() throws Exception {
        String app = registerApplication(api);
        String patient = newPatient();
        long leaf = connectedAndLogged(app, patient);

        Res proof = api.get("/api/v1/me/proofs/" + leaf, Tokens.patient(patient));
        assertThat(proof.status()).as(proof.toString()).isEqualTo(200);
        JsonNode record = proof.at("leaf");
        assertThat(record.get("patientId").getStringValue()).isEqualTo(patient);
        assertThat(record.get("salt").getStringValue()).matches("[0-9a-f]{64}");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update((byte) 0);
        byte[] leafHash = sha.digest(canonical(record));
        assertThat(Merkle.hex(leafHash)).isEqualTo(proof.str("leafHash"));

        String[] note = proof.str("checkpoint").split("\n");
        byte[] root = Base64.getDecoder().decode(note[2]);
        long size = Long.parseLong(note[1]);
        assertThat(size).isEqualTo(proof.num("treeSize"));
        List<byte[]> path = proof.list("proof").stream().map(p -> Merkle.unhex(p.getStringValue())).toList();
        assertThat(Merkle.verifyInclusion(leaf, size, leafHash, path, root)).isTrue();
    }

    @Test
    void another_patients_leaf_and_a_leaf_that_does_not_exist_are_answered_alike() {
        String app = registerApplication(api);
        String patient = newPatient();
        long leaf = connectedAndLogged(app, patient);
        String stranger = Tokens.patient(newPatient());
        Res theirs = api.get("/api/v1/me/proofs/" + leaf, stranger);
        Res none = api.get("/api/v1/me/proofs/999999999", stranger);
        Res malformed = api.get("/api/v1/me/proofs/-1", stranger);
        assertThat(theirs.status()).isEqualTo(404);
        assertThat(none.status()).isEqualTo(404);
        assertThat(malformed.status()).isEqualTo(404);
        assertThat(theirs.str("detail")).isEqualTo(none.str("detail")).isEqualTo(malformed.str("detail"));
        assertThat(theirs.body()).doesNotContain(patient);
        assertThat(api.get("/api/v1/me/proofs/" + leaf, Tokens.application(app)).status()).isEqualTo(403);
    }
}
