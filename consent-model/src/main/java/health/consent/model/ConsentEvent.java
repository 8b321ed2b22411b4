package health.consent.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One recorded change of consent: the only shape an event has, from the rule that produces it to
 * the leaf of the audit log. An event produced by {@link PatientConsents#change} has no
 * {@code seq} yet (0) and, when it is a cascade, no {@code cause} yet: the store numbers them.
 *
 * @param cause     the seq of the event that caused this one (a withdrawal of CARE), for cascades
 * @param leafIndex the event's index in the audit log, or null until the appender reaches it
 * @param salt      32 random bytes in hex, part of the event's leaf, so that the leaf's hash reveals
 *                  nothing without the event; null until the event is stored
 * @param expiresAt for a time-boxed grant, when it ends (part of the leaf only when set)
 */
public record ConsentEvent(long seq, PatientId patient, ApplicationId application, Purpose purpose,
                           ConsentState state, ConsentState previousState, int noticeVersion, DecidedBy decidedBy,
                           Channel channel, Long cause, Instant at, Long leafIndex, String salt, Instant expiresAt) {

    public ConsentEvent(long seq, PatientId patient, ApplicationId application, Purpose purpose, ConsentState state,
                        ConsentState previousState, int noticeVersion, DecidedBy decidedBy, Channel channel, Long cause,
                        Instant at, Long leafIndex, String salt) {
        this(seq, patient, application, purpose, state, previousState, noticeVersion, decidedBy, channel, cause, at,
                leafIndex, salt, null);
    }

    public ConsentEvent {
        Objects.requireNonNull(patient, "patient");
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(previousState, "previousState");
        Objects.requireNonNull(decidedBy, "decidedBy");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(at, "at");
    }

    /** The event as stored: numbered, pointing to its cause when it is a cascade, and salted. */
    public ConsentEvent stored(long seq, Long cause, String salt) {
        return new ConsentEvent(seq, patient, application, purpose, state, previousState, noticeVersion, decidedBy,
                channel, cause, at, leafIndex, salt, expiresAt);
    }

    /** The event of a grant that ends at a time. */
    public ConsentEvent withExpiry(Instant end) {
        return new ConsentEvent(seq, patient, application, purpose, state, previousState, noticeVersion, decidedBy,
                channel, cause, at, leafIndex, salt, end);
    }

    /**
     * Whether this event leaves the application owing the erasure of what it extracted under the
     * purpose: a secondary grant withdrawn (by the patient or by CARE's withdrawal), refused after
     * the grant, or expired.
     */
    public boolean createsPurgeObligation() {
        return purpose.isSecondary() && previousState == ConsentState.GRANTED && state != ConsentState.GRANTED;
    }

    public boolean isCascade() {
        return channel == Channel.CASCADE;
    }
}
