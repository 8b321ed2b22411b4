package health.consent.model.compliance;

import health.consent.model.ConsentEvent;
import health.consent.model.ConsentState;
import health.consent.model.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One patient's consent to one secondary purpose of one application, over time: whether it permitted
 * processing at some instant, within the staleness that the SDK's cache is allowed.
 *
 * <p>An access at time {@code t} is lawful when the purpose was granted, on the notice in force, at
 * some instant of {@code [t - staleness, t]}: an application that checked consent through the SDK
 * may act on a grant withdrawn less than the staleness bound before. Between changes the state is
 * constant, so only the window's start, the patient's events and the notices published inside the
 * window need looking at.
 *
 * <p>CARE is not consulted: a secondary grant exists only while CARE is granted, and withdrawing CARE
 * records a cascade event withdrawing every secondary grant ({@code PatientConsents}), so the
 * purpose's own events carry it.
 */
public final class ConsentTimeline {

    private final List<ConsentEvent> events;
    private final NavigableMap<Instant, Integer> notices;

    /**
     * @param events  the patient's events for this application and purpose (any order)
     * @param notices the purpose's notice versions by the time each was published
     */
    public ConsentTimeline(List<ConsentEvent> events, NavigableMap<Instant, Integer> notices) {
        List<ConsentEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(ConsentEvent::at).thenComparingLong(ConsentEvent::seq));
        this.events = List.copyOf(sorted);
        this.notices = Objects.requireNonNull(notices, "notices");
    }

    /** Why an access at a time was not covered by consent, and the events that show it. */
    public record Uncovered(Reason reason, List<ConsentEvent> proof) {
    }

    /**
     * Empty when the purpose was granted on the notice in force at some instant of
     * {@code [at - staleness, at]}; otherwise the reason at {@code at} and the events that prove it:
     * the one in force at the window's start (if any) and every event inside the window.
     */
    public Optional<Uncovered> check(Instant at, Duration staleness) {
        Instant start = at.minus(staleness);
        TreeSet<Instant> instants = new TreeSet<>();
        instants.add(start);
        List<ConsentEvent> proof = new ArrayList<>();
        stateAt(start).ifPresent(proof::add);
        for (ConsentEvent e : events) {
            if (e.at().isAfter(start) && !e.at().isAfter(at)) {
                instants.add(e.at());
                proof.add(e);
            }
        }
        for (Map.Entry<Instant, Integer> n : notices.subMap(start, false, at, true).entrySet()) {
            instants.add(n.getKey());
        }
        for (Instant s : instants) {
            if (reasonAt(s) == Reason.GRANTED) {
                return Optional.empty();
            }
        }
        return Optional.of(new Uncovered(reasonAt(at), List.copyOf(proof)));
    }

    /** What a decision at instant {@code s} would have said, from the purpose's own history. */
    Reason reasonAt(Instant s) {
        Optional<ConsentEvent> last = stateAt(s);
        if (last.isEmpty()) {
            return Reason.NOT_SET;
        }
        ConsentState state = last.get().state();
        if (state == ConsentState.REFUSED) {
            return Reason.REFUSED;
        }
        if (state == ConsentState.WITHDRAWN) {
            return Reason.WITHDRAWN;
        }
        if (state != ConsentState.GRANTED) {
            return Reason.NOT_SET;
        }
        Map.Entry<Instant, Integer> notice = notices.floorEntry(s);
        if (notice != null && last.get().noticeVersion() < notice.getValue()) {
            return Reason.RECONSENT_REQUIRED;
        }
        return Reason.GRANTED;
    }

    /** The last event at or before {@code s}. */
    private Optional<ConsentEvent> stateAt(Instant s) {
        ConsentEvent last = null;
        for (ConsentEvent e : events) {
            if (e.at().isAfter(s)) {
                break;
            }
            last = e;
        }
        return Optional.ofNullable(last);
    }
}
