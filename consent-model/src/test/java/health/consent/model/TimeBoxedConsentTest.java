package health.consent.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rule 6: a grant may be time-boxed; at its end it becomes EXPIRED, and an expired grant owes an erasure. */
class TimeBoxedConsentTest {

    private static final PatientId PATIENT = PatientId.of("p-1");
    private static final ApplicationId APP = ApplicationId.of("app-1");
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final ApplicationTerms TERMS = new ApplicationTerms(APP, ApplicationStatus.ACTIVE,
            Map.of(Purpose.CARE, 1, Purpose.STATISTICS, 1, Purpose.COMMERCIALISATION, 1),
            Map.of(Purpose.COMMERCIALISATION, Duration.ofDays(180)));

    private static PatientConsents granted(Purpose purpose, Instant expiresAt) {
        PatientConsents start = PatientConsents.of(PATIENT, APP, TERMS,
                List.of(new PurposeConsent(Purpose.CARE, ConsentState.GRANTED, 1, 1, NOW)));
        return ((ChangeOutcome.Applied) start.change(new ConsentChange(purpose, ConsentState.GRANTED, 1, Channel.WEB,
                null, expiresAt), DecidedBy.patient(PATIENT), NOW)).after();
    }

    private static ChangeRefusal.Kind refusal(ConsentState state, Purpose purpose, Instant expiresAt) {
        PatientConsents start = PatientConsents.of(PATIENT, APP, TERMS,
                List.of(new PurposeConsent(Purpose.CARE, ConsentState.GRANTED, 1, 1, NOW)));
        return ((ChangeOutcome.Refused) start.change(new ConsentChange(purpose, state, 1, Channel.WEB, null, expiresAt),
                DecidedBy.patient(PATIENT), NOW)).refusal().kind();
    }

    @Test
    void a_time_boxed_grant_permits_until_its_end_then_expires_with_one_expiry_event() {
        PatientConsents consents = granted(Purpose.STATISTICS, NOW.plusSeconds(60));
        assertThat(consents.consent(Purpose.STATISTICS).expiresAt()).isEqualTo(NOW.plusSeconds(60));
        assertThat(((ChangeOutcome.Applied) consents.expire(Purpose.STATISTICS, NOW.plusSeconds(59))).events())
                .as("not due yet").isEmpty();

        ChangeOutcome.Applied expired = (ChangeOutcome.Applied) consents.expire(Purpose.STATISTICS, NOW.plusSeconds(60));
        assertThat(expired.events()).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(ConsentState.EXPIRED);
            assertThat(e.channel()).isEqualTo(Channel.EXPIRY);
            assertThat(e.decidedBy().type()).isEqualTo(ActorType.SERVICE);
            assertThat(e.createsPurgeObligation()).isTrue();
        });
        assertThat(expired.after().decide(Purpose.STATISTICS).reason()).isEqualTo(Reason.EXPIRED);
        assertThat(((ChangeOutcome.Applied) expired.after().expire(Purpose.STATISTICS, NOW.plusSeconds(61))).events())
                .as("expiring again records nothing").isEmpty();
    }

    @Test
    void an_expired_care_withdraws_the_secondary_grants_as_a_withdrawal_does() {
        PatientConsents consents = granted(Purpose.STATISTICS, null);
        consents = ((ChangeOutcome.Applied) consents.change(new ConsentChange(Purpose.CARE, ConsentState.GRANTED, 1,
                Channel.WEB, null, NOW.plusSeconds(10)), DecidedBy.patient(PATIENT), NOW)).after();
        ChangeOutcome.Applied expired = (ChangeOutcome.Applied) consents.expire(Purpose.CARE, NOW.plusSeconds(10));
        assertThat(expired.events()).extracting(ConsentEvent::purpose, ConsentEvent::state, ConsentEvent::channel)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Purpose.CARE, ConsentState.EXPIRED, Channel.EXPIRY),
                        org.assertj.core.groups.Tuple.tuple(Purpose.STATISTICS, ConsentState.WITHDRAWN, Channel.CASCADE));
    }

    @Test
    void the_longest_grant_declared_is_the_default_and_the_limit() {
        assertThat(granted(Purpose.COMMERCIALISATION, null).consent(Purpose.COMMERCIALISATION).expiresAt())
                .isEqualTo(NOW.plus(Duration.ofDays(180)));
        assertThat(refusal(ConsentState.GRANTED, Purpose.COMMERCIALISATION, NOW.plus(Duration.ofDays(181))))
                .isEqualTo(ChangeRefusal.Kind.INVALID_EXPIRY);
        assertThat(refusal(ConsentState.GRANTED, Purpose.STATISTICS, NOW.minusSeconds(1)))
                .as("an end in the past").isEqualTo(ChangeRefusal.Kind.INVALID_EXPIRY);
        assertThat(refusal(ConsentState.REFUSED, Purpose.STATISTICS, NOW.plusSeconds(60)))
                .as("only a grant ends").isEqualTo(ChangeRefusal.Kind.INVALID_EXPIRY);
    }

    @Test
    void a_withdrawn_or_refused_secondary_grant_owes_an_erasure_and_care_or_a_first_refusal_does_not() {
        PatientConsents consents = granted(Purpose.STATISTICS, null);
        ChangeOutcome.Applied withdrawn = (ChangeOutcome.Applied) consents.change(new ConsentChange(Purpose.STATISTICS,
                ConsentState.REFUSED, 1, Channel.WEB, null), DecidedBy.patient(PATIENT), NOW);
        assertThat(withdrawn.events()).singleElement().satisfies(e -> assertThat(e.createsPurgeObligation()).isTrue());
        ChangeOutcome.Applied care = (ChangeOutcome.Applied) withdrawn.after().change(new ConsentChange(Purpose.CARE,
                ConsentState.WITHDRAWN, 1, Channel.WEB, null), DecidedBy.patient(PATIENT), NOW);
        assertThat(care.events()).allSatisfy(e -> assertThat(e.createsPurgeObligation()).isFalse());
    }
}
