package health.consent.sdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.sdk.AccessContext;
import health.consent.sdk.ConsentDeniedException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FakeConsentClientTest {

    private final AccessContext ctx = AccessContext.of("analyst-7", "lab-results");

    @Test
    void the_fake_follows_the_rules_of_the_real_service() {
        FakeConsentClient consents = new FakeConsentClient().grant("p-1", Purpose.STATISTICS);
        assertThat(consents.check("p-1", Purpose.STATISTICS).reason()).isEqualTo(Reason.CARE_NOT_GRANTED);
        consents.grant("p-1", Purpose.CARE);
        assertThat(consents.check("p-1", Purpose.STATISTICS).permitted()).isTrue();
        assertThat(consents.check("p-2", Purpose.CARE).reason()).isEqualTo(Reason.NOT_SET);
        consents.deny("p-1", Purpose.STATISTICS, Reason.WITHDRAWN);
        assertThat(consents.check("p-1", Purpose.STATISTICS).reason()).isEqualTo(Reason.WITHDRAWN);
    }

    @Test
    void with_consent_runs_the_work_only_when_permitted_and_records_both_outcomes() {
        FakeConsentClient consents = new FakeConsentClient().grant("p-1", Purpose.CARE);
        AtomicInteger runs = new AtomicInteger();
        assertThat(consents.withConsent("p-1", Purpose.CARE, ctx, runs::incrementAndGet)).isEqualTo(1);
        assertThatThrownBy(() -> consents.withConsent("p-1", Purpose.STATISTICS, ctx, runs::incrementAndGet))
                .isInstanceOf(ConsentDeniedException.class);
        assertThat(runs).hasValue(1);
        assertThat(consents.accesses()).extracting(FakeConsentClient.RecordedAccess::outcome)
                .containsExactly(Outcome.PERMIT, Outcome.DENY);
        assertThat(consents.filterPermitted(Purpose.CARE, List.of("p-2", "p-1", "p-1"))).containsExactly("p-1");
    }
}
