package health.consent.sdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.model.wire.AccessReport;
import health.consent.sdk.AccessContext;
import health.consent.sdk.ClientStatus;
import health.consent.sdk.ConsentClient;
import health.consent.sdk.ConsentDeniedException;
import health.consent.sdk.PurgeNotConfirmedException;
import health.consent.sdk.PurgeRequest;
import health.consent.sdk.SignedDecision;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Test data behind the real client: the service's rules, its change feed, its outages. */
class TestDataTest {

    private static final Duration STALE_AFTER = Duration.ofSeconds(2);

    private final AccessContext ctx = AccessContext.of("analyst-7", "lab-results");

    private static ConsentClient client(TestData data) {
        return ConsentClient.builder().dataSource(data).staleAfter(STALE_AFTER).build();
    }

    @Test
    void the_client_over_test_data_follows_the_rules_of_the_real_service() {
        TestData consents = new TestData().grant("p-1", Purpose.STATISTICS);
        try (ConsentClient client = client(consents)) {
            assertThat(client.check("p-1", Purpose.STATISTICS).reason()).isEqualTo(Reason.CARE_NOT_GRANTED);
            consents.grant("p-1", Purpose.CARE);
            assertThat(client.check("p-1", Purpose.STATISTICS).permitted()).isTrue();
            assertThat(client.check("p-2", Purpose.CARE).reason()).isEqualTo(Reason.NOT_SET);
            consents.deny("p-1", Purpose.STATISTICS, Reason.WITHDRAWN);
            assertThat(client.check("p-1", Purpose.STATISTICS).reason()).isEqualTo(Reason.WITHDRAWN);
        }
    }

    @Test
    void with_consent_runs_the_work_only_when_permitted_and_records_both_outcomes() {
        TestData consents = new TestData().grant("p-1", Purpose.CARE);
        try (ConsentClient client = client(consents)) {
            AtomicInteger runs = new AtomicInteger();
            assertThat(client.withConsent("p-1", Purpose.CARE, ctx, runs::incrementAndGet)).isEqualTo(1);
            assertThatThrownBy(() -> client.withConsent("p-1", Purpose.STATISTICS, ctx, runs::incrementAndGet))
                    .isInstanceOf(ConsentDeniedException.class);
            assertThat(runs).hasValue(1);
            assertThat(consents.accesses()).extracting(AccessReport::outcome)
                    .containsExactly(Outcome.PERMIT, Outcome.DENY);
            assertThat(client.filterPermitted(Purpose.CARE, List.of("p-2", "p-1", "p-1"))).containsExactly("p-1");
        }
    }

    @Test
    void a_withdrawal_reaches_the_clients_cache_through_the_change_feed() {
        TestData consents = new TestData().grant("p-1", Purpose.CARE).grant("p-1", Purpose.STATISTICS);
        try (ConsentClient client = client(consents)) {
            awaitUntil(() -> client.status() == ClientStatus.VALID, Duration.ofSeconds(5));
            assertThat(client.check("p-1", Purpose.STATISTICS)).isEqualTo(Decision.permit());

            consents.deny("p-1", Purpose.CARE, Reason.WITHDRAWN);
            // From here on the client cannot ask: only what its feed brought can answer.
            consents.unavailable(true);
            assertThat(client.check("p-1", Purpose.CARE).reason()).isEqualTo(Reason.WITHDRAWN);
            assertThat(client.check("p-1", Purpose.STATISTICS).reason())
                    .as("withdrawing CARE withdraws the secondary grants").isEqualTo(Reason.CARE_NOT_GRANTED);
        }
    }

    @Test
    void a_receipt_carries_the_signed_decision_and_an_outage_gives_deny_without_receipt() {
        TestData consents = new TestData().grant("p-1", Purpose.CARE).grant("p-1", Purpose.STATISTICS);
        try (ConsentClient client = client(consents)) {
            SignedDecision signed = client.checkWithReceipt("p-1", Purpose.STATISTICS);
            assertThat(signed.permitted()).isTrue();
            assertThat(signed.receipt()).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
            assertThat(signed.claims().patient()).isEqualTo("p-1");
            consents.deny("p-1", Purpose.STATISTICS, Reason.WITHDRAWN);
            assertThat(client.checkWithReceipt("p-1", Purpose.STATISTICS).claims().reason()).isEqualTo(Reason.WITHDRAWN);

            consents.unavailable(true);
            SignedDecision none = client.checkWithReceipt("p-1", Purpose.CARE);
            assertThat(none.decision().reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);
            assertThat(none.receipt()).isNull();
        }
    }

    @Test
    void a_withdrawn_secondary_grant_calls_the_purge_listener_and_the_erasure_is_confirmed() {
        TestData consents = new TestData().grant("p-1", Purpose.CARE).grant("p-1", Purpose.STATISTICS);
        List<PurgeRequest> asked = new CopyOnWriteArrayList<>();
        try (ConsentClient client = client(consents)) {
            client.addPurgeListener(asked::add);
            awaitUntil(() -> client.status() == ClientStatus.VALID, Duration.ofSeconds(5));
            consents.deny("p-1", Purpose.STATISTICS, Reason.WITHDRAWN);
            awaitUntil(() -> !asked.isEmpty(), Duration.ofSeconds(5));
            assertThat(asked).singleElement().satisfies(p -> {
                assertThat(p.patientId()).isEqualTo("p-1");
                assertThat(p.purpose()).isEqualTo(Purpose.STATISTICS);
            });
            assertThat(client.pendingPurges()).containsExactlyElementsOf(asked);
            client.confirmPurge(asked.get(0).id());
            assertThat(consents.purgesConfirmed()).containsExactly(asked.get(0).id());
            assertThat(client.pendingPurges()).isEmpty();
            assertThatThrownBy(() -> client.confirmPurge("unknown")).isInstanceOf(PurgeNotConfirmedException.class);
        }
    }

    @Test
    void during_an_outage_secondary_purposes_fail_closed_care_keeps_its_last_answer_and_all_recovers() {
        TestData consents = new TestData().grant("p-1", Purpose.CARE).grant("p-1", Purpose.STATISTICS);
        List<ClientStatus> statuses = new CopyOnWriteArrayList<>();
        try (ConsentClient client = client(consents)) {
            client.addStatusListener(statuses::add);
            awaitUntil(() -> client.status() == ClientStatus.VALID, Duration.ofSeconds(5));
            assertThat(client.check("p-1", Purpose.STATISTICS).permitted()).isTrue();
            assertThat(client.check("p-1", Purpose.CARE).permitted()).isTrue();

            consents.unavailable(true);
            awaitUntil(() -> client.check("p-1", Purpose.STATISTICS).reason() == Reason.SERVICE_UNAVAILABLE,
                    STALE_AFTER.plusSeconds(1));
            assertThat(client.status()).isEqualTo(ClientStatus.INTERRUPTED);
            assertThat(client.check("p-1", Purpose.CARE)).as("care is never blocked by an outage")
                    .isEqualTo(Decision.permit());
            assertThat(client.check("p-2", Purpose.CARE).reason()).isEqualTo(Reason.SERVICE_UNAVAILABLE);
            assertThat(client.filterPermitted(Purpose.STATISTICS, List.of("p-1"))).isEmpty();
            assertThat(client.filterPermitted(Purpose.CARE, List.of("p-1"))).containsExactly("p-1");
            assertThat(client.withConsent("p-1", Purpose.CARE, ctx, () -> "read")).isEqualTo("read");
            assertThat(consents.accesses()).as("not delivered during the outage").isEmpty();
            consents.deny("p-1", Purpose.CARE, Reason.WITHDRAWN);

            consents.unavailable(false);
            awaitUntil(() -> client.status() == ClientStatus.VALID, Duration.ofSeconds(15));
            assertThat(statuses).containsSubsequence(ClientStatus.INTERRUPTED, ClientStatus.VALID);
            assertThat(client.check("p-1", Purpose.STATISTICS).reason())
                    .as("a change made during the outage is not missed").isEqualTo(Reason.CARE_NOT_GRANTED);
        }
        assertThat(consents.accesses()).as("delivered after the outage, at the latest on close")
                .extracting(AccessReport::patientId, AccessReport::purpose, AccessReport::outcome)
                .containsExactly(tuple("p-1", Purpose.CARE, Outcome.PERMIT));
    }

    @Test
    void a_reason_that_is_not_a_state_is_answered_as_given_until_the_purpose_is_set_again() {
        TestData consents = new TestData().grant("p-1", Purpose.CARE).grant("p-1", Purpose.STATISTICS)
                .deny("p-1", Purpose.STATISTICS, Reason.RECONSENT_REQUIRED);
        try (ConsentClient client = client(consents)) {
            assertThat(client.check("p-1", Purpose.STATISTICS).reason()).isEqualTo(Reason.RECONSENT_REQUIRED);
            consents.grant("p-1", Purpose.STATISTICS);
            assertThat(client.check("p-1", Purpose.STATISTICS).permitted()).isTrue();
        }
        assertThatThrownBy(() -> consents.deny("p-1", Purpose.CARE, Reason.GRANTED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Polls {@code condition} until it holds, failing after {@code timeout}. */
    private static void awaitUntil(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
