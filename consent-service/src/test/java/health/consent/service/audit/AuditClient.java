package health.consent.service.audit;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.audit.Checkpoint;
import health.consent.sdk.verifier.AuditVerifier;
import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Tokens;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** What a regulator's tooling does with the audit API: checkpoints, exports and proofs, as plain JSON. */
record AuditClient(Api api) {

    /** Some consent events and access records, so that the log has leaves of both kinds. */
    String activity(int patients) {
        String app = registerApplication(api, "STATISTICS");
        for (int i = 0; i < patients; i++) {
            String patient = newPatient();
            decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
            Res res = api.post("/api/v1/access-records", Tokens.application(app), """
                    [{"id": "%s", "patientId": "%s", "purpose": "CARE", "actor": "dr-martin", "dataCategory": "vitals",
                      "outcome": "PERMIT", "at": "%s"}]""".formatted(UUID.randomUUID(), patient, Instant.now()));
            assertThat(res.status()).isEqualTo(200);
        }
        return app;
    }

    Checkpoint checkpoint() {
        Res res = api.post("/api/v1/audit/checkpoints", Tokens.regulator(), null);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return AuditVerifier.checkpoint(res.map());
    }

    /** Every leaf of the log up to {@code size}, by index, from the regulator's exports. */
    List<Map<String, Object>> exportedLeaves(long size) {
        TreeMap<Long, Map<String, Object>> byIndex = new TreeMap<>();
        for (String path : List.of("/api/v1/audit/access-records", "/api/v1/audit/consent-events")) {
            for (int page = 0; ; page++) {
                List<Map<String, Object>> items = list(api.get(path + "?size=1000&reason=Audit%20test%20of%20the%20trail&page=" + page, Tokens.regulator()), "items");
                for (Map<String, Object> item : items) {
                    Object leaf = item.get("leafIndex");
                    if (leaf != null && ((Number) leaf).longValue() < size) {
                        byIndex.put(((Number) leaf).longValue(), item);
                    }
                }
                if (items.size() < 1000) {
                    break;
                }
            }
        }
        assertThat(byIndex.keySet()).as("every leaf is exported once").hasSize((int) size);
        return new ArrayList<>(byIndex.values());
    }

    List<String> inclusion(long leaf, long size) {
        return strings(api.get("/api/v1/audit/proofs/inclusion?leaf=" + leaf + "&treeSize=" + size, Tokens.regulator()));
    }

    List<String> consistency(long from, long to) {
        return strings(api.get("/api/v1/audit/proofs/consistency?from=" + from + "&to=" + to, Tokens.regulator()));
    }

    private static List<String> strings(Res res) {
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return list(res, "proof");
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Res res, String field) {
        return (List<T>) res.map().get(field);
    }
}
