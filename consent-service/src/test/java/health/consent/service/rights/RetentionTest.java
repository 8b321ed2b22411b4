package health.consent.service.rights;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.recordAccess;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import health.consent.model.audit.Checkpoint;
import health.consent.sdk.verifier.AuditVerifier;
import health.consent.service.access.Retention;
import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.Fixtures;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Access records are kept for {@code ACCESS_RECORD_RETENTION}, then erased with their salts a month
 * at a time (on PostgreSQL by dropping the month's partition); the log stays verifiable and every
 * remaining record's proof valid.
 */
class RetentionTest {

    private static final String TRAIL = "/api/v1/audit/access-records?size=1000&reason=Retention%20test%20of%20the%20trail";

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void records_past_their_retention_are_erased_by_month_and_the_log_stays_verifiable(String database) {
        boolean postgres = "PostgreSQL".equals(database);
        try (TestService service = TestService.start(postgres ? Databases.postgres() : Databases.h2(), Map.of(
                "consent.access-records.retention", "P1M", "consent.retention.interval", "200ms",
                "consent.findings.interval", "100ms", "consent.findings.settle", "0s",
                "consent.audit.append-interval", "50ms"), "test")) {
            Api api = service.api();
            String app = registerApplication(api, "STATISTICS");
            String patient = newPatient();
            decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(recordAccess(api, app, patient));
            }
            // The fourth comes in one batch with a record that is kept: that batch stays.
            String fourth = java.util.UUID.randomUUID().toString();
            String keptBeside = java.util.UUID.randomUUID().toString();
            Res both = api.post("/api/v1/access-records", Tokens.application(app), "["
                    + Fixtures.accessRecord(fourth, patient, java.time.Instant.now()) + ","
                    + Fixtures.accessRecord(keptBeside, patient, java.time.Instant.now()) + "]");
            assertThat(both.status()).as(both.toString()).isEqualTo(200);
            ids.add(fourth);
            for (int i = 0; i < 2; i++) {
                ids.add(recordAccess(api, app, patient));
            }
            List<Long> batches = new ArrayList<>();
            for (String id : ids) {
                batches.add(service.count("SELECT batch_id FROM access_record WHERE id = '" + id + "'"));
            }
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    service.count("SELECT COUNT(*) FROM (" + Databases.ACCESS_LEAVES + ") l WHERE leaf_index IS NULL") == 0
                            && service.count("SELECT last_leaf FROM finding_cursor") >= service.count(
                                    "SELECT MAX(leaf_index) FROM (" + Databases.ACCESS_LEAVES + ") l"));
            Checkpoint before = checkpoint(api);
            long erasedLeaf = service.count("SELECT leaf_index FROM (" + Databases.ACCESS_LEAVES + ") l WHERE id = '" + ids.get(0) + "'");

            YearMonth current = YearMonth.now(ZoneOffset.UTC);
            YearMonth threeAgo = current.minusMonths(3);
            if (postgres) {
                assertThat(service.count("SELECT COUNT(*) FROM pg_partitioned_table p JOIN pg_class c "
                        + "ON c.oid = p.partrelid WHERE c.relname = 'access_record'")).as("partitioned").isEqualTo(1);
                for (int i = 0; i <= 2; i++) {
                    assertThat(service.count("SELECT COUNT(*) FROM pg_class WHERE relname = '" + table(current.plusMonths(i))
                            + "'")).as("the partition of %s, created ahead", current.plusMonths(i)).isEqualTo(1);
                }
                // The partition of a month three months ago, as the service created it then.
                service.sql("CREATE TABLE " + table(threeAgo) + " PARTITION OF access_record FOR VALUES FROM ('"
                        + threeAgo.atDay(1) + " 00:00:00+00') TO ('" + threeAgo.plusMonths(1).atDay(1) + " 00:00:00+00')");
            }
            // Three records dated three months ago, one four months ago (no partition of its own on
            // PostgreSQL: the default partition holds it); two now, kept.
            backdate(service, ids.get(0), threeAgo.atDay(10));
            backdate(service, ids.get(1), threeAgo.atDay(20));
            backdate(service, ids.get(2), threeAgo.atEndOfMonth());
            backdate(service, ids.get(3), current.minusMonths(4).atDay(15));

            await().atMost(Duration.ofSeconds(20)).until(() -> service.count("SELECT COUNT(*) FROM access_record WHERE id IN ('"
                    + String.join("','", ids.subList(0, 4)) + "')") == 0);
            assertThat(service.count("SELECT COUNT(*) FROM access_record WHERE id IN ('" + ids.get(4) + "','"
                    + ids.get(5) + "','" + keptBeside + "')")).as("records within their retention stay").isEqualTo(3);
            // The batches emptied go with their records; the one that still holds a record stays, with those after it.
            await().atMost(Duration.ofSeconds(20)).until(() -> service.count("SELECT COUNT(*) FROM access_batch WHERE id IN ("
                    + batches.get(0) + "," + batches.get(1) + "," + batches.get(2) + ")") == 0);
            assertThat(service.count("SELECT COUNT(*) FROM access_batch WHERE id IN (" + batches.get(3) + ","
                    + batches.get(4) + "," + batches.get(5) + ")")).as("batches that still hold records").isEqualTo(3);
            assertThat(service.metric("consent_records_batches_pruned_total")).isGreaterThanOrEqualTo(3);
            if (postgres) {
                assertThat(service.count("SELECT COUNT(*) FROM pg_class WHERE relname = '" + table(threeAgo) + "'"))
                        .as("the expired month's partition is dropped").isZero();
            }
            assertThat(api.get("/api/v1/me/proofs/" + erasedLeaf, Tokens.patient(patient)).status())
                    .as("nothing is left to prove about an erased record").isEqualTo(404);

            recordAccess(api, app, patient);
            Checkpoint after = checkpoint(api);
            AuditVerifier verifier = AuditVerifier.withPublicKey(api.get("/api/v1/audit/public-key", null).str("publicKey"));
            assertThat(verifier.verifyConsistency(before, after, strings(api.get("/api/v1/audit/proofs/consistency?from="
                    + before.treeSize() + "&to=" + after.treeSize(), Tokens.regulator()))))
                    .as("the log after the erasure extends the log before it").isTrue();
            for (Map<String, Object> kept : items(api.get(TRAIL + "&applicationId=" + app, Tokens.regulator()))) {
                long leaf = ((Number) kept.get("leafIndex")).longValue();
                assertThat(verifier.verifyRecord(after, kept, leaf, strings(api.get("/api/v1/audit/proofs/inclusion?leaf="
                        + leaf + "&treeSize=" + after.treeSize(), Tokens.regulator()))))
                        .as("the proof of a kept record, %s", kept.get("id")).isTrue();
            }
            // Counted once the pass that erased the last of them ends.
            await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/prometheus", Tokens.METRICS).body()
                    .matches("(?s).*consent_records_erased_total [4-9].*"));
        }
    }

    @Test
    void a_record_older_than_the_retention_is_refused_naming_its_date_and_nothing_is_stored() {
        try (TestService service = TestService.start(Databases.h2(), Map.of("consent.access-records.retention", "P1M"),
                "test")) {
            Api api = service.api();
            String app = registerApplication(api, "STATISTICS");
            // An application in the catalogue for a year (its registration moved back; a new notice
            // makes every cache read it again).
            service.sql("UPDATE application SET registered_at = registered_at - INTERVAL '365' DAY WHERE id = '" + app + "'");
            assertThat(api.put("/api/v1/applications/" + app + "/purposes/STATISTICS", Tokens.admin(),
                    "{\"noticeVersion\": 2, \"notice\": {\"fr\": \"nouveau\", \"en\": \"new\"}}").status()).isEqualTo(200);
            String patient = newPatient();
            java.time.Instant old = java.time.Instant.now().minus(Duration.ofDays(62));
            Res refused = api.post("/api/v1/access-records", Tokens.application(app), "["
                    + Fixtures.accessRecord(java.util.UUID.randomUUID().toString(), patient, java.time.Instant.now()) + ","
                    + Fixtures.accessRecord(java.util.UUID.randomUUID().toString(), patient, old) + "]");
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.str("errors[0].field")).isEqualTo("[1].at");
            assertThat(refused.str("errors[0].message")).contains("retention").contains("P1M");
            assertThat(service.count("SELECT COUNT(*) FROM access_record WHERE patient_id = '" + patient + "'"))
                    .as("the whole batch is refused").isZero();
            recordAccess(api, app, patient);
        }
    }

    @Test
    void a_malformed_or_too_short_retention_refuses_to_start_naming_the_setting() {
        assertThat(Retention.parse("P5Y").toTotalMonths()).isEqualTo(60);
        assertThat(Retention.parse("").toTotalMonths()).as("five years by default").isEqualTo(60);
        assertThatThrownBy(() -> Retention.parse("five years")).hasMessageContaining("ACCESS_RECORD_RETENTION");
        assertThatThrownBy(() -> Retention.parse("P7D")).hasMessageContaining("ACCESS_RECORD_RETENTION")
                .hasMessageContaining("at least a month");
        assertThatThrownBy(() -> TestService.start(Databases.h2(), Map.of("consent.access-records.retention", "36 months"),
                "test").close()).hasStackTraceContaining("ACCESS_RECORD_RETENTION");
    }

    private static String table(YearMonth month) {
        return String.format("access_record_y%04dm%02d", month.getYear(), month.getMonthValue());
    }

    /**
     * Moves a record to another day (on PostgreSQL, into another month's partition). The retention
     * pass may be locking that month at the same moment: PostgreSQL then breaks the deadlock by
     * failing one of the two, and this test's side is simply done again.
     */
    private static void backdate(TestService service, String id, java.time.LocalDate day) {
        for (int attempt = 1; ; attempt++) {
            try {
                service.sql("UPDATE access_record SET at = TIMESTAMP WITH TIME ZONE '" + day + " 12:00:00+00' WHERE id = '"
                        + id + "'");
                return;
            } catch (IllegalStateException e) {
                Throwable cause = e;
                while (cause.getCause() != null) {
                    cause = cause.getCause();
                }
                if (attempt == 5 || cause.getMessage() == null || !cause.getMessage().contains("deadlock detected")) {
                    throw e;
                }
            }
        }
    }

    private static Checkpoint checkpoint(Api api) {
        Res res = api.post("/api/v1/audit/checkpoints", Tokens.regulator(), null);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return AuditVerifier.checkpoint(res.map());
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Res res) {
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return (List<String>) res.map().get("proof");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> items(Res res) {
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return (List<Map<String, Object>>) res.map().get("items");
    }
}
