package health.consent.service.sdk;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import health.consent.model.Decision;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.sdk.AccessContext;
import health.consent.sdk.ClientStatus;
import health.consent.sdk.ConsentClient;
import health.consent.sdk.ConsentDeniedException;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The SDK against a real running service, on H2 and on PostgreSQL. */
class SdkAgainstServiceTest extends OnBothDatabases {

    private static final AccessContext CONTEXT = AccessContext.of("analyst-7", "lab-results");

    private static ConsentClient client(String app) {
        ConsentClient client = ConsentClient.builder().baseUrl(service.uri()).token(() -> Tokens.application(app))
                .build();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.status() == ClientStatus.VALID);
        return client;
    }

    /** How many decision requests the service has answered, from its own metrics. */
    private static long decisionRequests() {
        String metrics = api.get("/prometheus", Tokens.METRICS).body();
        Matcher m = Pattern.compile("http_server_requests_seconds_count\\{[^}]*uri=\"/api/v1/decisions/\\{patientId}/\\{purpose}\"[^}]*} ([0-9.E]+)")
                .matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return (long) total;
    }

    @Test
    void a_granted_purpose_is_permitted_from_the_cache_without_asking_the_service_again() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        decide(api, Tokens.patient(patient), app, "STATISTICS", "GRANTED");
        try (ConsentClient client = client(app)) {
            assertThat(client.check(patient, Purpose.STATISTICS).permitted()).isTrue();
            long before = decisionRequests();
            for (int i = 0; i < 1_000; i++) {
                assertThat(client.check(patient, Purpose.STATISTICS)).isEqualTo(Decision.permit());
            }
            assertThat(decisionRequests()).isEqualTo(before);
        }
    }

    @Test
    void a_withdrawal_reaches_every_connected_client_within_a_second() {
        String app = registerApplication(api, "STATISTICS");
        List<ConsentClient> clients = List.of(client(app), client(app), client(app));
        List<Long> latenciesMillis = new ArrayList<>();
        try {
            for (int round = 0; round < 10; round++) {
                String patient = newPatient();
                decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
                decide(api, Tokens.patient(patient), app, "STATISTICS", "GRANTED");
                for (ConsentClient c : clients) {
                    assertThat(c.check(patient, Purpose.STATISTICS).permitted()).isTrue();
                }
                decide(api, Tokens.patient(patient), app, "STATISTICS", "WITHDRAWN");
                long withdrawnAt = System.nanoTime();
                for (ConsentClient c : clients) {
                    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2))
                            .until(() -> c.check(patient, Purpose.STATISTICS).reason() == Reason.WITHDRAWN);
                    latenciesMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - withdrawnAt));
                }
            }
        } finally {
            clients.forEach(ConsentClient::close);
        }
        assertThat(latenciesMillis).hasSize(30).allSatisfy(ms -> assertThat(ms).isLessThan(1_000));
    }

    @Test
    void with_consent_runs_the_work_only_when_permitted_and_records_every_access_once() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        int[] runs = {0};
        try (ConsentClient client = client(app)) {
            assertThat(client.withConsent(patient, Purpose.CARE, CONTEXT, () -> ++runs[0])).isEqualTo(1);
            assertThatThrownBy(() -> client.withConsent(patient, Purpose.STATISTICS, CONTEXT, () -> ++runs[0]))
                    .isInstanceOf(ConsentDeniedException.class)
                    .satisfies(e -> assertThat(((ConsentDeniedException) e).decision().reason()).isEqualTo(Reason.NOT_SET));
            assertThatThrownBy(() -> client.require(patient, Purpose.STATISTICS)).isInstanceOf(ConsentDeniedException.class);
        }
        assertThat(runs[0]).isEqualTo(1);
        assertThat(service.count("SELECT COUNT(*) FROM access_record WHERE application_id = '" + app + "'")).isEqualTo(2);
        assertThat(service.count("SELECT COUNT(*) FROM access_record WHERE application_id = '" + app
                + "' AND outcome = 'DENY' AND purpose = 'STATISTICS'")).isEqualTo(1);
    }

    @Test
    void a_cohort_of_a_hundred_thousand_ids_is_filtered_exactly() throws Exception {
        String app = registerApplication(api, "STATISTICS");
        List<String> granted = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String patient = "cohort-" + i + "-" + app;
                boolean grants = i % 3 != 0;
                (grants ? granted : refused).add(patient);
                work.add(pool.submit(() -> {
                    decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
                    decide(api, Tokens.patient(patient), app, "STATISTICS", grants ? "GRANTED" : "REFUSED");
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        List<String> cohort = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000 - 300; i++) {
            cohort.add("never-" + i);
            if (i % 331 == 0 && i / 331 < 300) {
                cohort.add("cohort-" + (i / 331) + "-" + app);
            }
        }
        assertThat(cohort).hasSize(100_000);
        try (ConsentClient client = client(app)) {
            Set<String> permitted = client.filterPermitted(Purpose.STATISTICS, cohort);
            assertThat(permitted).containsExactlyInAnyOrderElementsOf(granted);
            assertThat(permitted).doesNotContainAnyElementsOf(refused);
            assertThat(new ArrayList<>(permitted)).isSortedAccordingTo((a, b) -> Integer.compare(cohort.indexOf(a), cohort.indexOf(b)));
        }
    }
}
