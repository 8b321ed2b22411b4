package health.consent.service.audit;

import static health.consent.service.support.Fixtures.accessRecord;
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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
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

    /** The patient's access records by id, with their leaves, once every one of {@code ids} is in the log. */
    private static Map<String, Long> loggedAccesses(String patient, List<String> ids) {
        Map<String, Long> leaves = new TreeMap<>();
        await().until(() -> {
            leaves.clear();
            for (JsonNode item : api.get("/api/v1/me/access-log?size=100", Tokens.patient(patient)).list("items")) {
                if (!item.get("leafIndex").isNull()) {
                    leaves.put(item.get("id").getStringValue(), item.get("leafIndex").getLongValue());
                }
            }
            return leaves.keySet().containsAll(ids);
        });
        return leaves;
    }

    /** The proof of a leaf of the patient's: its record hashed here is the tree's leaf, and it checks. */
    private static JsonNode provenLeaf(String patient, long leaf) throws Exception {
        Res proof = api.get("/api/v1/me/proofs/" + leaf, Tokens.patient(patient));
        assertThat(proof.status()).as(proof.toString()).isEqualTo(200);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update((byte) 0);
        byte[] leafHash = sha.digest(canonical(proof.at("leaf")));
        assertThat(Merkle.hex(leafHash)).as("the record read back, hashed, is the leaf").isEqualTo(proof.str("leafHash"));
        String[] note = proof.str("checkpoint").split("\n");
        List<byte[]> path = proof.list("proof").stream().map(p -> Merkle.unhex(p.getStringValue())).toList();
        assertThat(Merkle.verifyInclusion(leaf, Long.parseLong(note[1]), leafHash, path,
                Base64.getDecoder().decode(note[2]))).isTrue();
        return proof.at("leaf");
    }

    @Test
    void an_access_record_hashed_as_it_is_stored_is_the_record_read_back_to_the_microsecond() throws Exception {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        String id = UUID.randomUUID().toString();
        String at = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS).plusNanos(123_456_789).toString();
        Res stored = api.post("/api/v1/access-records", Tokens.application(app), """
                [{"id": "%s", "patientId": "%s", "purpose": "CARE", "actor": "Dr \u00c9milie (Z\u00f8e)",
                  "dataCategory": "vitals", "outcome": "PERMIT", "at": "%s"}]""".formatted(id, patient, at));
        assertThat(stored.status()).as(stored.toString()).isEqualTo(200);

        JsonNode leaf = provenLeaf(patient, loggedAccesses(patient, List.of(id)).get(id));
        assertThat(leaf.get("id").getStringValue()).isEqualTo(id);
        assertThat(leaf.get("actor").getStringValue()).isEqualTo("Dr \u00c9milie (Z\u00f8e)");
        assertThat(leaf.get("at").getStringValue()).as("kept to the microsecond").endsWith(".123456Z");
    }

    @Test
    void a_regulators_read_stored_in_the_patients_log_is_the_record_read_back_and_is_proven() throws Exception {
        String app = registerApplication(api);
        String patient = newPatient();
        connectedAndLogged(app, patient);
        String reason = "Inspection n\u00b042: consent of \"Z\u00f8e\" checked";
        Res read = api.get("/api/v1/audit/consent-events?patientId=" + patient + "&reason="
                + java.net.URLEncoder.encode(reason, StandardCharsets.UTF_8), Tokens.regulator());
        assertThat(read.status()).as(read.toString()).isEqualTo(200);

        long[] leaf = new long[1];
        await().until(() -> {
            for (JsonNode item : api.get("/api/v1/me/access-log?size=100", Tokens.patient(patient)).list("items")) {
                if ("REGULATOR".equals(item.get("accessorType").getStringValue()) && !item.get("leafIndex").isNull()) {
                    leaf[0] = item.get("leafIndex").getLongValue();
                    return true;
                }
            }
            return false;
        });
        JsonNode record = provenLeaf(patient, leaf[0]);
        assertThat(record.get("accessorType").getStringValue()).isEqualTo("REGULATOR");
        assertThat(record.get("reason").getStringValue()).isEqualTo(reason);
        assertThat(record.get("purpose").isNull()).as("a regulator's read serves no purpose of the application's").isTrue();
        assertThat(record.get("patientId").getStringValue()).isEqualTo(patient);
    }

    @Test
    void records_sent_again_among_new_ones_take_no_leaf_and_the_new_ones_follow_each_other() throws Exception {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        Instant at = Instant.now().minusSeconds(60);
        List<String> ids = java.util.stream.IntStream.range(0, 6).mapToObj(i -> UUID.randomUUID().toString()).toList();
        String first = "[" + accessRecord(ids.get(0), patient, at) + "," + accessRecord(ids.get(1), patient, at) + "]";
        assertThat(api.post("/api/v1/access-records", Tokens.application(app), first).num("stored")).isEqualTo(2);
        // Sent again among new ones, in the order: old, new, old, new, new, new.
        String again = "[" + String.join(",", accessRecord(ids.get(0), patient, at), accessRecord(ids.get(2), patient, at),
                accessRecord(ids.get(1), patient, at), accessRecord(ids.get(3), patient, at),
                accessRecord(ids.get(4), patient, at), accessRecord(ids.get(5), patient, at)) + "]";
        assertThat(api.post("/api/v1/access-records", Tokens.application(app), again).num("stored")).isEqualTo(4);

        Map<String, Long> leaves = loggedAccesses(patient, ids);
        assertThat(leaves).hasSize(6);
        assertThat(leaves.get(ids.get(1))).isEqualTo(leaves.get(ids.get(0)) + 1);
        for (int i = 3; i < 6; i++) {
            assertThat(leaves.get(ids.get(i))).as("the new records, one after the other, in the order sent")
                    .isEqualTo(leaves.get(ids.get(i - 1)) + 1);
        }
        for (String id : ids) {
            assertThat(provenLeaf(patient, leaves.get(id)).get("id").getStringValue()).isEqualTo(id);
        }
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
