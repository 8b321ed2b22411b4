package health.consent.service.reliability;

import static health.consent.service.support.Fixtures.decision;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.model.audit.Checkpoint;
import health.consent.model.audit.Merkle;
import health.consent.sdk.verifier.AuditVerifier;
import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.ReplicatedPostgres;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A real PostgreSQL primary with a synchronous streaming standby; the service is given both hosts
 * ({@code targetServerType=primary}). Under writes, the primary is killed with SIGKILL and the
 * standby promoted: meanwhile requests get 503 problems with {@code Retry-After}; then writes resume
 * with no restart, and on the new primary every acknowledged consent change and access record is
 * there, in the feed (numbered once, with no gap) and in the log (every leaf, the tree an extension of
 * the checkpoint signed before the loss).
 */
class FailoverTest {

    private static final String REASON = "reason=Failover%20test%20of%20the%20trail";

    @Test
    void a_primary_loss_and_a_promotion_lose_no_acknowledged_write_and_need_no_restart() throws Exception {
        try (ReplicatedPostgres pg = ReplicatedPostgres.start();
             TestService service = TestService.start(Map.of("datasources.default.url", pg.multiHostUrl(),
                     "datasources.default.username", "postgres", "datasources.default.password", ""),
                     Map.of("consent.audit.append-interval", "50ms"), "test")) {
            Api api = service.api();
            String app = registerApplication(api, "STATISTICS");
            Set<String> grants = ConcurrentHashMap.newKeySet();
            Set<String> records = ConcurrentHashMap.newKeySet();
            AtomicInteger unavailable = new AtomicInteger();
            AtomicReference<Res> anUnavailable = new AtomicReference<>();
            List<String> others = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService writers = Executors.newFixedThreadPool(4);
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.submit(() -> {
                    for (int i = 0; writing.get(); i++) {
                        String patient = "fo-" + writer + "-" + i;
                        Res grant = send(api, "PUT", "/api/v1/me/consents/" + app + "/CARE", Tokens.patient(patient),
                                decision("GRANTED", 1));
                        count(grant, unavailable, anUnavailable, others);
                        if (grant != null && grant.status() == 200) {
                            grants.add(patient);
                        }
                        List<String> ids = new ArrayList<>();
                        StringBuilder batch = new StringBuilder("[");
                        for (int r = 0; r < 5; r++) {
                            String id = UUID.randomUUID().toString();
                            ids.add(id);
                            batch.append(r == 0 ? "" : ",").append("""
                                    {"id": "%s", "patientId": "%s", "purpose": "CARE", "actor": "dr-x",
                                     "dataCategory": "vitals", "outcome": "PERMIT", "at": "%s"}""".formatted(
                                    id, patient, Instant.now()));
                        }
                        Res recorded = send(api, "POST", "/api/v1/access-records", Tokens.application(app), batch + "]");
                        count(recorded, unavailable, anUnavailable, others);
                        if (recorded != null && recorded.status() == 200) {
                            records.addAll(ids);
                        }
                    }
                    return null;
                });
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> grants.size() >= 40);
            Checkpoint before = checkpoint(api);

            pg.killPrimary();
            int grantsAtLoss = grants.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> unavailable.get() > 0);
            Res down = anUnavailable.get();
            assertThat(down.contentType()).startsWith("application/problem+json");
            assertThat(down.header("Retry-After")).isEqualTo("5");

            pg.promoteStandby();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> grants.size() >= grantsAtLoss + 40);
            writing.set(false);
            writers.shutdown();
            assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            assertThat(others).as("answers other than 200 or 503 during the failover").isEmpty();

            try (Connection db = DriverManager.getConnection(pg.standbyUrl()); Statement s = db.createStatement()) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                        number(s, "SELECT (SELECT COUNT(*) FROM (" + Databases.ACCESS_LEAVES + ") l WHERE leaf_index IS NULL) "
                                + "+ (SELECT COUNT(*) FROM consent_event WHERE leaf_index IS NULL) "
                                + "+ (SELECT COUNT(*) FROM consent_change WHERE seq IS NULL)") == 0);
                Set<String> granted = new HashSet<>();
                try (ResultSet rs = s.executeQuery("SELECT patient_id FROM consent WHERE application_id = '" + app
                        + "' AND purpose = 'CARE' AND state = 'GRANTED'")) {
                    while (rs.next()) {
                        granted.add(rs.getString(1));
                    }
                }
                assertThat(granted).as("acknowledged grants (%d before the loss)", grantsAtLoss).containsAll(grants);
                Set<String> stored = new HashSet<>();
                try (ResultSet rs = s.executeQuery("SELECT id FROM access_record WHERE application_id = '" + app + "'")) {
                    while (rs.next()) {
                        stored.add(rs.getString(1));
                    }
                }
                assertThat(stored).as("acknowledged access records").containsAll(records);

                long numbered = number(s, "SELECT COUNT(*) FROM consent_change");
                assertThat(number(s, "SELECT COALESCE(MAX(seq), 0) FROM consent_change"))
                        .as("feed numbers, one per change with no gap").isEqualTo(numbered);
                assertThat(number(s, "SELECT MAX(last_seq) FROM change_sequence")).isEqualTo(numbered);

                Checkpoint after = checkpoint(api);
                long leaves = number(s, "SELECT (SELECT COUNT(DISTINCT leaf_index) FROM (" + Databases.ACCESS_LEAVES + ") l) "
                        + "+ (SELECT COUNT(DISTINCT leaf_index) FROM consent_event)");
                assertThat(after.treeSize()).as("every record and event is one leaf").isEqualTo(leaves);
                assertThat(number(s, "SELECT GREATEST((SELECT MAX(leaf_index) FROM (" + Databases.ACCESS_LEAVES + ") l), "
                        + "(SELECT MAX(leaf_index) FROM consent_event))")).isEqualTo(leaves - 1);
                assertThat(after.treeSize()).isGreaterThan(before.treeSize());
                AuditVerifier verifier = AuditVerifier.withPublicKey(api.get("/api/v1/audit/public-key", null).str("publicKey"));
                assertThat(verifier.verifyConsistency(before, after, proof(api, "consistency?from="
                        + before.treeSize() + "&to=" + after.treeSize())))
                        .as("the log after the failover extends the checkpoint signed before it").isTrue();
                assertThat(Merkle.hex(root(exportedLeafHashes(api, after.treeSize()))))
                        .as("the root recomputed from every exported leaf").isEqualTo(after.rootHash());
            }

            List<String> delivered = feed(api, app);
            assertThat(delivered).as("each grant in the application's feed once").doesNotHaveDuplicates()
                    .containsAll(grants);
        }
    }

    private static Res send(Api api, String method, String path, String token, String body) {
        try {
            return api.send(method, path, token, body, Map.of());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void count(Res res, AtomicInteger unavailable, AtomicReference<Res> anUnavailable,
                              List<String> others) {
        if (res == null) {
            others.add("no answer");
        } else if (res.status() != 200 && res.status() != 503) {
            others.add(res.toString());
        }
        if (res != null && res.status() == 503) {
            anUnavailable.set(res);
            unavailable.incrementAndGet();
        }
    }

    private static long number(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Checkpoint checkpoint(Api api) {
        Res res = api.post("/api/v1/audit/checkpoints", Tokens.regulator(), null);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return AuditVerifier.checkpoint(res.map());
    }

    @SuppressWarnings("unchecked")
    private static List<String> proof(Api api, String query) {
        Res res = api.get("/api/v1/audit/proofs/" + query, Tokens.regulator());
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return (List<String>) res.map().get("proof");
    }

    /** The leaf hash of every exported record and event, by leaf index. */
    @SuppressWarnings("unchecked")
    private static List<byte[]> exportedLeafHashes(Api api, long size) {
        byte[][] byIndex = new byte[(int) size][];
        for (String path : List.of("/api/v1/audit/access-records", "/api/v1/audit/consent-events")) {
            for (int page = 0; ; page++) {
                List<Map<String, Object>> items = (List<Map<String, Object>>) api.get(path + "?size=1000&" + REASON
                        + "&page=" + page, Tokens.regulator()).map().get("items");
                for (Map<String, Object> item : items) {
                    Number leaf = (Number) item.get("leafIndex");
                    if (leaf != null && leaf.longValue() < size) {
                        byIndex[leaf.intValue()] = AuditVerifier.leafHash(item);
                    }
                }
                if (items.size() < 1000) {
                    break;
                }
            }
        }
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < byIndex.length; i++) {
            assertThat(byIndex[i]).as("leaf %d exported", i).isNotNull();
            hashes.add(byIndex[i]);
        }
        return hashes;
    }

    /** RFC 6962's Merkle tree hash of the leaf hashes. */
    private static byte[] root(List<byte[]> leaves) {
        if (leaves.size() == 1) {
            return leaves.get(0);
        }
        int k = (int) Merkle.split(leaves.size());
        return Merkle.nodeHash(root(leaves.subList(0, k)), root(leaves.subList(k, leaves.size())));
    }

    /** The patients of every change in the application's feed, from the start. */
    private static List<String> feed(Api api, String app) {
        List<String> patients = new ArrayList<>();
        long after = 0;
        while (true) {
            Res page = api.get("/api/v1/changes?after=" + after + "&wait=0", Tokens.application(app));
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            List<io.micronaut.json.tree.JsonNode> changes = page.list("changes");
            if (changes.isEmpty()) {
                return patients;
            }
            changes.forEach(c -> patients.add(c.get("patientId").getStringValue()));
            after = page.num("next");
        }
    }
}
