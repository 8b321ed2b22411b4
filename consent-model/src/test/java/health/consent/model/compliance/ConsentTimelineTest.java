package health.consent.model.compliance;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.ActorType;
import health.consent.model.ApplicationId;
import health.consent.model.Channel;
import health.consent.model.ConsentEvent;
import health.consent.model.ConsentState;
import health.consent.model.DecidedBy;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ConsentTimelineTest {

    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    private static final Duration STALENESS = Duration.ofSeconds(30);
    private static final TreeMap<Instant, Integer> NOTICE_1 = new TreeMap<>(java.util.Map.of(T0.minusSeconds(3600), 1));

    private static ConsentEvent event(long seq, ConsentState state, int notice, Instant at) {
        return new ConsentEvent(seq, PatientId.of("p-1"), ApplicationId.of("app"), Purpose.STATISTICS, state,
                ConsentState.NOT_SET, notice, new DecidedBy(ActorType.PATIENT, "p-1"), Channel.WEB, null, at,
                seq + 100, "00");
    }

    @Test
    void an_access_while_granted_is_covered() {
        var timeline = new ConsentTimeline(List.of(event(1, ConsentState.GRANTED, 1, T0)), NOTICE_1);
        assertThat(timeline.check(T0.plusSeconds(600), STALENESS)).isEmpty();
    }

    @Test
    void an_access_before_any_decision_is_not_set_with_no_event_to_show() {
        var timeline = new ConsentTimeline(List.of(event(1, ConsentState.GRANTED, 1, T0)), NOTICE_1);
        var uncovered = timeline.check(T0.minusSeconds(60), STALENESS).orElseThrow();
        assertThat(uncovered.reason()).isEqualTo(Reason.NOT_SET);
        assertThat(uncovered.proof()).isEmpty();
    }

    @Test
    void an_access_within_the_staleness_after_a_withdrawal_is_covered_and_beyond_it_is_not() {
        var granted = event(1, ConsentState.GRANTED, 1, T0);
        var withdrawn = event(2, ConsentState.WITHDRAWN, 1, T0.plusSeconds(100));
        var timeline = new ConsentTimeline(List.of(withdrawn, granted), NOTICE_1);
        assertThat(timeline.check(T0.plusSeconds(129), STALENESS)).isEmpty();
        var uncovered = timeline.check(T0.plusSeconds(131), STALENESS).orElseThrow();
        assertThat(uncovered.reason()).isEqualTo(Reason.WITHDRAWN);
        assertThat(uncovered.proof()).containsExactly(withdrawn);
    }

    @Test
    void a_refusal_proves_itself_with_the_events_inside_the_window() {
        var refused = event(1, ConsentState.REFUSED, 1, T0);
        var timeline = new ConsentTimeline(List.of(refused), NOTICE_1);
        var uncovered = timeline.check(T0.plusSeconds(10), STALENESS).orElseThrow();
        assertThat(uncovered.reason()).isEqualTo(Reason.REFUSED);
        assertThat(uncovered.proof()).containsExactly(refused);
    }

    @Test
    void a_grant_on_a_notice_replaced_before_the_window_does_not_cover() {
        TreeMap<Instant, Integer> notices = new TreeMap<>(NOTICE_1);
        notices.put(T0.plusSeconds(50), 2);
        var timeline = new ConsentTimeline(List.of(event(1, ConsentState.GRANTED, 1, T0)), notices);
        assertThat(timeline.check(T0.plusSeconds(70), STALENESS)).isEmpty();
        assertThat(timeline.check(T0.plusSeconds(90), STALENESS).orElseThrow().reason())
                .isEqualTo(Reason.RECONSENT_REQUIRED);
        var renewed = new ConsentTimeline(List.of(event(1, ConsentState.GRANTED, 1, T0),
                event(2, ConsentState.GRANTED, 2, T0.plusSeconds(60))), notices);
        assertThat(renewed.check(T0.plusSeconds(90), STALENESS)).isEmpty();
    }
}
