package health.consent.model;

import static health.consent.model.ApplicationStatus.ACTIVE;
import static health.consent.model.ApplicationStatus.SUSPENDED;
import static health.consent.model.ConsentState.GRANTED;
import static health.consent.model.ConsentState.NOT_SET;
import static health.consent.model.ConsentState.REFUSED;
import static health.consent.model.ConsentState.WITHDRAWN;
import static health.consent.model.Purpose.CARE;
import static health.consent.model.Purpose.STATISTICS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsentRulesTest {

    @Test
    void no_decision_denies_every_purpose() {
        for (Purpose p : Purpose.values()) {
            assertThat(ConsentRules.decide(ACTIVE, p, 1, NOT_SET, NOT_SET, 0))
                    .isEqualTo(Decision.deny(p.isPrimary() ? Reason.NOT_SET : Reason.CARE_NOT_GRANTED));
        }
        assertThat(ConsentRules.decide(ACTIVE, STATISTICS, 1, GRANTED, NOT_SET, 0)).isEqualTo(Decision.deny(Reason.NOT_SET));
    }

    @Test
    void a_granted_secondary_purpose_permits_only_while_care_is_granted() {
        assertThat(ConsentRules.decide(ACTIVE, STATISTICS, 1, GRANTED, GRANTED, 1).permitted()).isTrue();
        assertThat(ConsentRules.reason(ACTIVE, STATISTICS, 1, WITHDRAWN, GRANTED, 1)).isEqualTo(Reason.CARE_NOT_GRANTED);
    }

    @Test
    void an_undeclared_purpose_is_denied_as_not_declared() {
        assertThat(ConsentRules.reason(ACTIVE, STATISTICS, null, GRANTED, GRANTED, 1)).isEqualTo(Reason.PURPOSE_NOT_DECLARED);
    }

    @Test
    void a_grant_on_an_older_secondary_notice_requires_reconsent_but_care_does_not() {
        assertThat(ConsentRules.reason(ACTIVE, STATISTICS, 2, GRANTED, GRANTED, 1)).isEqualTo(Reason.RECONSENT_REQUIRED);
        assertThat(ConsentRules.reason(ACTIVE, CARE, 2, GRANTED, GRANTED, 1)).isEqualTo(Reason.GRANTED);
    }

    @Test
    void unknown_and_suspended_applications_are_denied_first() {
        assertThat(ConsentRules.reason(null, CARE, 1, GRANTED, GRANTED, 1)).isEqualTo(Reason.UNKNOWN_APPLICATION);
        assertThat(ConsentRules.reason(SUSPENDED, CARE, 1, GRANTED, GRANTED, 1)).isEqualTo(Reason.APPLICATION_SUSPENDED);
    }

    @Test
    void refusals_and_withdrawals_give_their_own_reason() {
        assertThat(ConsentRules.reason(ACTIVE, CARE, 1, REFUSED, REFUSED, 1)).isEqualTo(Reason.REFUSED);
        assertThat(ConsentRules.reason(ACTIVE, STATISTICS, 1, GRANTED, WITHDRAWN, 1)).isEqualTo(Reason.WITHDRAWN);
    }

    @Test
    void granting_a_secondary_purpose_without_care_is_refused() {
        assertThat(ConsentRules.checkChange(STATISTICS, NOT_SET, GRANTED, NOT_SET, 1, 1))
                .map(ChangeRefusal::kind).contains(ChangeRefusal.Kind.SECONDARY_REQUIRES_CARE);
        assertThat(ConsentRules.checkChange(STATISTICS, NOT_SET, REFUSED, NOT_SET, 1, 1)).isEmpty();
    }

    @Test
    void a_grant_must_name_the_current_notice() {
        assertThat(ConsentRules.checkChange(CARE, NOT_SET, GRANTED, NOT_SET, 1, 2))
                .map(ChangeRefusal::kind).contains(ChangeRefusal.Kind.NOTICE_NOT_CURRENT);
        assertThat(ConsentRules.checkChange(CARE, NOT_SET, GRANTED, NOT_SET, 2, 2)).isEmpty();
    }

    @Test
    void only_a_grant_can_be_withdrawn() {
        assertThat(ConsentRules.checkChange(CARE, REFUSED, WITHDRAWN, REFUSED, 1, 1))
                .map(ChangeRefusal::kind).contains(ChangeRefusal.Kind.NOTHING_TO_WITHDRAW);
        assertThat(ConsentRules.checkChange(CARE, GRANTED, WITHDRAWN, GRANTED, 1, 1)).isEmpty();
    }

    @Test
    void not_set_cannot_be_chosen() {
        assertThat(ConsentRules.checkChange(CARE, GRANTED, NOT_SET, GRANTED, 1, 1))
                .map(ChangeRefusal::kind).contains(ChangeRefusal.Kind.NOT_A_DECISION);
    }

    @Test
    void only_care_leaving_granted_withdraws_secondary_grants() {
        assertThat(ConsentRules.withdrawsSecondaryGrants(CARE, WITHDRAWN)).isTrue();
        assertThat(ConsentRules.withdrawsSecondaryGrants(CARE, REFUSED)).isTrue();
        assertThat(ConsentRules.withdrawsSecondaryGrants(CARE, GRANTED)).isFalse();
        assertThat(ConsentRules.withdrawsSecondaryGrants(STATISTICS, WITHDRAWN)).isFalse();
    }

    @Test
    void repeating_the_same_decision_is_no_change_unless_the_notice_differs() {
        assertThat(ConsentRules.isNoChange(GRANTED, 1, GRANTED, 1)).isTrue();
        assertThat(ConsentRules.isNoChange(GRANTED, 1, GRANTED, 2)).isFalse();
        assertThat(ConsentRules.isNoChange(REFUSED, 1, REFUSED, 3)).isTrue();
        assertThat(ConsentRules.isNoChange(REFUSED, 1, WITHDRAWN, 1)).isFalse();
    }
}
