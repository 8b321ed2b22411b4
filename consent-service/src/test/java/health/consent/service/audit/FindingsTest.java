package health.consent.service.audit;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.ServiceSettings;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;

/**
 * Findings: each kind of violation seeded through the API beside its lawful twin, and exactly the
 * violations come back, each with the leaves that prove it. The pass is run by the test (its tick
 * is an hour), with a staleness bound of one second and a late-report threshold of a minute.
 */
@ServiceSettings({"consent.findings.staleness=1s", "consent.findings.late-report-after=60s", "consent.findings.settle=0s", "consent.findings.interval=1h"})
class FindingsTest extends OnBothDatabases {

    private static final String REASON = "reason=Inspection%20of%20findings%202026";

    /** What the seeding expects: "KIND patient". */
    static final Set<String> expected = new HashSet<>();
    static final Map<String, String> apps = new java.util.HashMap<>();

    /** Runs after the service of {@link OnBothDatabases} has started. */
    @BeforeParameterizedClassInvocation
    static void seed() {
        seedEveryKindAndItsLawfulTwin();
    }

    static void seedEveryKindAndItsLawfulTwin() {
        expected.clear();
        String app = registerApplication(api, "STATISTICS");
        apps.put("main", app);
        Instant now = Instant.now();

        String neverGranted = careOnly(app);
        record(app, neverGranted, "STATISTICS", "PERMIT", now);
        expected.add("ACCESS_WITHOUT_CONSENT " + neverGranted);

        String granted = careOnly(app);
        decide(api, Tokens.patient(granted), app, "STATISTICS", "GRANTED");
        record(app, granted, "STATISTICS", "PERMIT", Instant.now());

        String denied = careOnly(app);
        record(app, denied, "STATISTICS", "DENY", Instant.now());

        String refused = careOnly(app);
        decide(api, Tokens.patient(refused), app, "STATISTICS", "REFUSED");
        record(app, refused, "STATISTICS", "PERMIT", Instant.now());
        expected.add("ACCESS_WITHOUT_CONSENT " + refused);

        String withdrawnLongAgo = careOnly(app);
        decide(api, Tokens.patient(withdrawnLongAgo), app, "STATISTICS", "GRANTED");
        decide(api, Tokens.patient(withdrawnLongAgo), app, "STATISTICS", "WITHDRAWN");
        Instant afterWithdrawal = Instant.now();
        record(app, withdrawnLongAgo, "STATISTICS", "PERMIT", afterWithdrawal.plusSeconds(3));
        expected.add("ACCESS_WITHOUT_CONSENT " + withdrawnLongAgo);

        String withdrawnJustNow = careOnly(app);
        decide(api, Tokens.patient(withdrawnJustNow), app, "STATISTICS", "GRANTED");
        decide(api, Tokens.patient(withdrawnJustNow), app, "STATISTICS", "WITHDRAWN");
        record(app, withdrawnJustNow, "STATISTICS", "PERMIT", Instant.now());

        String undeclared = careOnly(app);
        record(app, undeclared, "COMMERCIALISATION", "PERMIT", Instant.now());
        expected.add("UNDECLARED_PURPOSE " + undeclared);
        record(app, undeclared, "COMMERCIALISATION", "DENY", Instant.now());

        String late = careOnly(app);
        record(app, late, "CARE", "PERMIT", Instant.now().minusSeconds(90));
        expected.add("LATE_REPORT " + late);
        String onTime = careOnly(app);
        record(app, onTime, "CARE", "PERMIT", Instant.now().minusSeconds(30));

        String suspendedApp = registerApplication(api);
        apps.put("suspended", suspendedApp);
        String whileSuspended = newPatient();
        String afterReactivation = newPatient();
        assertThat(status(suspendedApp, "SUSPENDED")).isEqualTo(200);
        Instant duringSuspension = Instant.now();
        awaitClockPast(duringSuspension);
        assertThat(status(suspendedApp, "ACTIVE")).isEqualTo(200);
        record(suspendedApp, whileSuspended, "CARE", "PERMIT", duringSuspension);
        expected.add("ACCESS_WHILE_SUSPENDED " + whileSuspended);
        record(suspendedApp, afterReactivation, "CARE", "PERMIT", Instant.now());

        // Every record is in the log and dated in the past: the pass judges them all.
        awaitClockPast(afterWithdrawal.plusSeconds(3));
        new AuditClient(api).checkpoint();
        FindingsPass pass = service.context().getBean(FindingsPass.class);
        pass.judgeAll();
    }

    @Test
    void exactly_the_violations_are_found() {
        Set<String> found = new HashSet<>();
        for (JsonNode f : findings("").list("items")) {
            found.add(f.get("kind").getStringValue() + " " + f.get("patientId").getStringValue());
        }
        assertThat(found).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void each_finding_names_the_leaves_that_prove_it() {
        List<JsonNode> trail = api.get("/api/v1/audit/access-records?size=1000&" + REASON, Tokens.regulator())
                .list("items");
        List<JsonNode> events = api.get("/api/v1/audit/consent-events?size=1000&" + REASON, Tokens.regulator())
                .list("items");
        for (JsonNode f : findings("").list("items")) {
            JsonNode record = trail.stream()
                    .filter(r -> r.get("id").getStringValue().equals(f.get("record").get("id").getStringValue()))
                    .findFirst().orElseThrow();
            assertThat(f.get("record").get("leafIndex").getLongValue()).isEqualTo(record.get("leafIndex").getLongValue());
            List<String> proving = new ArrayList<>();
            for (JsonNode ref : f.get("events").values()) {
                JsonNode event = events.stream().filter(e -> e.get("seq").getLongValue() == ref.get("seq").getLongValue())
                        .findFirst().orElseThrow();
                assertThat(ref.get("leafIndex").getLongValue()).isEqualTo(event.get("leafIndex").getLongValue());
                assertThat(event.get("patientId").getStringValue()).isEqualTo(f.get("patientId").getStringValue());
                proving.add(event.get("state").getStringValue());
            }
            String reason = f.get("consentReason").isNull() ? null : f.get("consentReason").getStringValue();
            if ("REFUSED".equals(reason)) {
                assertThat(proving).containsExactly("REFUSED");
            } else if ("WITHDRAWN".equals(reason)) {
                assertThat(proving).as("the withdrawal, in force over the whole window").containsExactly("WITHDRAWN");
            } else if ("NOT_SET".equals(reason)) {
                assertThat(proving).as("nothing was ever decided").isEmpty();
            }
        }
    }

    @Test
    void findings_filter_by_kind_application_and_time_and_come_as_csv() {
        assertThat(findings("&kind=LATE_REPORT").list("items")).hasSize(1);
        assertThat(findings("&applicationId=" + apps.get("suspended")).list("items"))
                .extracting(f -> f.get("kind").getStringValue()).containsExactly("ACCESS_WHILE_SUSPENDED");
        assertThat(findings("&to=" + Instant.now().minusSeconds(60)).list("items"))
                .extracting(f -> f.get("kind").getStringValue()).containsExactly("LATE_REPORT");
        Res csv = api.send("GET", "/api/v1/audit/findings?format=csv&" + REASON, Tokens.regulator(), null, Map.of());
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body().lines().findFirst().orElseThrow()).startsWith("id,kind,applicationId,patientId");
        assertThat(csv.body().lines().count()).isEqualTo(expected.size() + 1);
    }

    @Test
    void reading_findings_is_recorded_in_each_named_patients_log() {
        String patient = findings("&kind=UNDECLARED_PURPOSE").list("items").get(0).get("patientId").getStringValue();
        Res log = api.get("/api/v1/me/access-log?size=200", Tokens.patient(patient));
        assertThat(log.list("items")).anySatisfy(r -> {
            assertThat(r.get("accessorType").getStringValue()).isEqualTo("REGULATOR");
            assertThat(r.get("dataCategory").getStringValue()).isEqualTo("findings");
        });
    }

    @Test
    void bad_filters_and_a_missing_reason_are_refused_with_the_field_named() {
        for (String[] bad : new String[][] {{"kind=BOGUS&" + REASON, "kind"}, {"from=yesterday&" + REASON, "from"},
            {"applicationId=%20bad&" + REASON, "applicationId"}, {"size=0&" + REASON, "size"}, {"", "reason"},
            {"format=xml&" + REASON, "format"}}) {
            Res res = api.get("/api/v1/audit/findings?" + bad[0], Tokens.regulator());
            assertThat(res.status()).as(bad[0]).isEqualTo(400);
            assertThat(res.contentType()).startsWith("application/problem+json");
            assertThat(res.body()).as(bad[0]).contains("\"" + bad[1] + "\"");
        }
    }

    @Test
    void judging_again_finds_nothing_new() {
        long before = findings("").num("totalItems");
        // The regulators' reads since are new records of the log: judged, and none is a finding.
        service.context().getBean(AuditLog.class).appendAll();
        assertThat(service.context().getBean(FindingsPass.class).judgeAll()).isPositive();
        assertThat(findings("").num("totalItems")).isEqualTo(before);
    }

    private static Res findings(String query) {
        Res res = api.get("/api/v1/audit/findings?size=200&" + REASON + query, Tokens.regulator());
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res;
    }

    private static String careOnly(String app) {
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        return patient;
    }

    private static void record(String app, String patient, String purpose, String outcome, Instant at) {
        Res res = api.post("/api/v1/access-records", Tokens.application(app), """
                [{"id": "%s", "patientId": "%s", "purpose": "%s", "actor": "dr-martin", "dataCategory": "vitals",
                  "outcome": "%s", "at": "%s"}]""".formatted(UUID.randomUUID(), patient, purpose, outcome, at));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
    }

    private static int status(String app, String status) {
        return api.put("/api/v1/applications/" + app + "/status", Tokens.admin(), "{\"status\": \"" + status + "\"}")
                .status();
    }

    /** Waits until the clock has passed an instant (the condition, not a guess of how long). */
    private static void awaitClockPast(Instant instant) {
        while (!Instant.now().isAfter(instant)) {
            try {
                Thread.sleep(Math.max(1, Duration.between(Instant.now(), instant).toMillis() + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
