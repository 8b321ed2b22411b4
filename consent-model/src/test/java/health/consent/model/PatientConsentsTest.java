package health.consent.model;

import static health.consent.model.ApplicationStatus.ACTIVE;
import static health.consent.model.ApplicationStatus.SUSPENDED;
import static health.consent.model.ConsentState.GRANTED;
import static health.consent.model.ConsentState.NOT_SET;
import static health.consent.model.ConsentState.REFUSED;
import static health.consent.model.ConsentState.WITHDRAWN;
import static health.consent.model.Purpose.CARE;
import static health.consent.model.Purpose.COMMERCIALISATION;
import static health.consent.model.Purpose.STATISTICS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatientConsentsTest {

    private static final PatientId PATIENT = PatientId.of("p-1");
    private static final ApplicationId APP = ApplicationId.of("app-1");
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final DecidedBy BY_PATIENT = DecidedBy.patient(PATIENT);

    /** An application declaring each purpose with the notice version given (CARE always, on version 1 unless said). */
    private static ApplicationTerms terms(ApplicationStatus status, Object... purposeAndVersion) {
        Map<Purpose, Integer> notices = new EnumMap<>(Purpose.class);
        notices.put(CARE, 1);
        for (int i = 0; i < purposeAndVersion.length; i += 2) {
            notices.put((Purpose) purposeAndVersion[i], (Integer) purposeAndVersion[i + 1]);
        }
        return new ApplicationTerms(APP, status, notices);
    }

    /** Stored decisions: purpose, state, notice version, in turn. */
    private static PatientConsents consents(ApplicationTerms terms, Object... purposeStateNotice) {
        List<PurposeConsent> stored = new ArrayList<>();
        for (int i = 0; i < purposeStateNotice.length; i += 3) {
            ConsentState state = (ConsentState) purposeStateNotice[i + 1];
            if (state != NOT_SET) {
                stored.add(new PurposeConsent((Purpose) purposeStateNotice[i], state, (Integer) purposeStateNotice[i + 2],
                        1, NOW));
            }
        }
        return PatientConsents.of(PATIENT, APP, terms, stored);
    }

    private static Reason reason(PatientConsents consents, Purpose purpose) {
        return consents.decide(purpose).reason();
    }

    private static ChangeRefusal.Kind refusal(PatientConsents consents, Purpose purpose, ConsentState state, Integer seen) {
        ChangeOutcome outcome = consents.change(new ConsentChange(purpose, state, seen, Channel.API, null), BY_PATIENT, NOW);
        return outcome instanceof ChangeOutcome.Refused r ? r.refusal().kind() : null;
    }

    private static List<ConsentEvent> events(PatientConsents consents, Purpose purpose, ConsentState state, Integer seen) {
        return ((ChangeOutcome.Applied) consents.change(new ConsentChange(purpose, state, seen, Channel.API, null),
                BY_PATIENT, NOW)).events();
    }

    @Test
    void no_decision_denies_every_purpose() {
        ApplicationTerms all = terms(ACTIVE, STATISTICS, 1, Purpose.SERVICE_IMPROVEMENT, 1, COMMERCIALISATION, 1);
        for (Purpose p : Purpose.values()) {
            assertThat(consents(all).decide(p))
                    .isEqualTo(Decision.deny(p.isPrimary() ? Reason.NOT_SET : Reason.CARE_NOT_GRANTED));
        }
        assertThat(consents(all, CARE, GRANTED, 1).decide(STATISTICS)).isEqualTo(Decision.deny(Reason.NOT_SET));
    }

    @Test
    void a_granted_secondary_purpose_permits_only_while_care_is_granted() {
        ApplicationTerms t = terms(ACTIVE, STATISTICS, 1);
        assertThat(consents(t, CARE, GRANTED, 1, STATISTICS, GRANTED, 1).decide(STATISTICS).permitted()).isTrue();
        assertThat(reason(consents(t, CARE, WITHDRAWN, 1, STATISTICS, GRANTED, 1), STATISTICS))
                .isEqualTo(Reason.CARE_NOT_GRANTED);
    }

    @Test
    void an_undeclared_purpose_is_denied_as_not_declared() {
        assertThat(reason(consents(terms(ACTIVE), CARE, GRANTED, 1, STATISTICS, GRANTED, 1), STATISTICS))
                .isEqualTo(Reason.PURPOSE_NOT_DECLARED);
    }

    @Test
    void a_grant_on_an_older_secondary_notice_requires_reconsent_but_care_does_not() {
        assertThat(reason(consents(terms(ACTIVE, STATISTICS, 2), CARE, GRANTED, 1, STATISTICS, GRANTED, 1), STATISTICS))
                .isEqualTo(Reason.RECONSENT_REQUIRED);
        ApplicationTerms newCareNotice = new ApplicationTerms(APP, ACTIVE, Map.of(CARE, 2));
        assertThat(reason(consents(newCareNotice, CARE, GRANTED, 1), CARE)).isEqualTo(Reason.GRANTED);
    }

    @Test
    void unknown_and_suspended_applications_are_denied_first() {
        assertThat(reason(consents(null, CARE, GRANTED, 1), CARE)).isEqualTo(Reason.UNKNOWN_APPLICATION);
        assertThat(reason(consents(terms(SUSPENDED), CARE, GRANTED, 1), CARE)).isEqualTo(Reason.APPLICATION_SUSPENDED);
    }

    @Test
    void refusals_and_withdrawals_give_their_own_reason() {
        ApplicationTerms t = terms(ACTIVE, STATISTICS, 1);
        assertThat(reason(consents(t, CARE, REFUSED, 1), CARE)).isEqualTo(Reason.REFUSED);
        assertThat(reason(consents(t, CARE, GRANTED, 1, STATISTICS, WITHDRAWN, 1), STATISTICS)).isEqualTo(Reason.WITHDRAWN);
    }

    @Test
    void granting_a_secondary_purpose_without_care_is_refused() {
        ApplicationTerms t = terms(ACTIVE, STATISTICS, 1);
        assertThat(refusal(consents(t), STATISTICS, GRANTED, 1)).isEqualTo(ChangeRefusal.Kind.SECONDARY_REQUIRES_CARE);
        assertThat(refusal(consents(t), STATISTICS, REFUSED, 1)).isNull();
    }

    @Test
    void a_grant_must_name_the_current_notice() {
        ApplicationTerms t = new ApplicationTerms(APP, ACTIVE, Map.of(CARE, 2));
        assertThat(refusal(consents(t), CARE, GRANTED, 1)).isEqualTo(ChangeRefusal.Kind.NOTICE_NOT_CURRENT);
        assertThat(refusal(consents(t), CARE, GRANTED, 2)).isNull();
    }

    @Test
    void only_a_grant_can_be_withdrawn() {
        ApplicationTerms t = terms(ACTIVE);
        assertThat(refusal(consents(t, CARE, REFUSED, 1), CARE, WITHDRAWN, 1))
                .isEqualTo(ChangeRefusal.Kind.NOTHING_TO_WITHDRAW);
        assertThat(refusal(consents(t, CARE, GRANTED, 1), CARE, WITHDRAWN, 1)).isNull();
    }

    @Test
    void not_set_cannot_be_chosen() {
        assertThat(refusal(consents(terms(ACTIVE), CARE, GRANTED, 1), CARE, NOT_SET, 1))
                .isEqualTo(ChangeRefusal.Kind.NOT_A_DECISION);
    }

    @Test
    void only_care_leaving_granted_withdraws_secondary_grants() {
        ApplicationTerms t = terms(ACTIVE, STATISTICS, 1, COMMERCIALISATION, 1);
        PatientConsents granted = consents(t, CARE, GRANTED, 1, STATISTICS, GRANTED, 1, COMMERCIALISATION, REFUSED, 1);
        for (ConsentState leaving : List.of(WITHDRAWN, REFUSED)) {
            List<ConsentEvent> events = events(granted, CARE, leaving, null);
            assertThat(events).extracting(ConsentEvent::purpose, ConsentEvent::state, ConsentEvent::channel)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(CARE, leaving, Channel.API),
                            org.assertj.core.groups.Tuple.tuple(STATISTICS, WITHDRAWN, Channel.CASCADE));
        }
        assertThat(events(consents(t, CARE, REFUSED, 1, STATISTICS, REFUSED, 1), CARE, GRANTED, 1)).hasSize(1);
        assertThat(events(granted, STATISTICS, WITHDRAWN, null)).singleElement()
                .extracting(ConsentEvent::channel).isEqualTo(Channel.API);
    }

    @Test
    void repeating_the_same_decision_is_no_change_unless_the_notice_differs() {
        ApplicationTerms t1 = terms(ACTIVE);
        assertThat(events(consents(t1, CARE, GRANTED, 1), CARE, GRANTED, 1)).isEmpty();
        ApplicationTerms t2 = new ApplicationTerms(APP, ACTIVE, Map.of(CARE, 2));
        assertThat(events(consents(t2, CARE, GRANTED, 1), CARE, GRANTED, 2)).hasSize(1);
        ApplicationTerms t3 = new ApplicationTerms(APP, ACTIVE, Map.of(CARE, 3));
        assertThat(events(consents(t3, CARE, REFUSED, 1), CARE, REFUSED, 3)).isEmpty();
        assertThat(refusal(consents(t1, CARE, REFUSED, 1), CARE, WITHDRAWN, 1)).isNotNull();
    }

    @Test
    void a_change_returns_the_aggregate_with_its_events_applied_and_versions_moved_on() {
        ApplicationTerms t = terms(ACTIVE, STATISTICS, 1);
        PatientConsents before = consents(t, CARE, GRANTED, 1, STATISTICS, GRANTED, 1);
        ChangeOutcome.Applied applied = (ChangeOutcome.Applied) before.change(
                new ConsentChange(CARE, WITHDRAWN, null, Channel.WEB, 1L), BY_PATIENT, NOW);
        assertThat(applied.after().consent(STATISTICS).state()).isEqualTo(WITHDRAWN);
        assertThat(applied.after().consent(STATISTICS).version()).isEqualTo(2);
        assertThat(applied.after().decide(STATISTICS).reason()).isEqualTo(Reason.CARE_NOT_GRANTED);
        assertThat(before.change(new ConsentChange(CARE, WITHDRAWN, null, Channel.WEB, 7L), BY_PATIENT, NOW))
                .isInstanceOf(ChangeOutcome.Refused.class);
    }

    @Test
    void aCohortDecidedFromGrantsAloneGetsTheAnswerOfEveryPatientsWholeDecisions() {
        List<ApplicationTerms> allTerms = new ArrayList<>();
        allTerms.add(terms(ACTIVE, STATISTICS, 2));
        allTerms.add(terms(SUSPENDED, STATISTICS, 2));
        allTerms.add(null);
        int compared = 0;
        for (ApplicationTerms terms : allTerms) {
            for (Purpose purpose : List.of(CARE, STATISTICS, COMMERCIALISATION)) {
                for (ConsentState care : ConsentState.values()) {
                    for (ConsentState own : purpose.isPrimary() ? List.of(care) : List.of(ConsentState.values())) {
                        for (int notice = 1; notice <= 3; notice++) {
                            PatientConsents whole = purpose.isPrimary() ? consents(terms, CARE, care, notice)
                                    : consents(terms, CARE, care, 1, purpose, own, notice);
                            boolean fromGrants = PatientConsents.permittedByGrants(terms, purpose, care == GRANTED,
                                    own == GRANTED ? notice : null);
                            assertThat(fromGrants).as("%s %s care=%s own=%s notice=%d", terms, purpose, care, own, notice)
                                    .isEqualTo(whole.decide(purpose).permitted());
                            compared++;
                        }
                    }
                }
            }
        }
        // Some of them permit: the comparison is not between two answers that always deny.
        assertThat(PatientConsents.permittedByGrants(allTerms.get(0), STATISTICS, true, 2)).isTrue();
        assertThat(compared).isGreaterThan(100);
    }
}
