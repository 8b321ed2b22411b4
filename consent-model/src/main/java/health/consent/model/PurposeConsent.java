package health.consent.model;

import java.time.Instant;
import java.util.Objects;

/**
 * What a patient decided for one purpose of one application, as stored.
 *
 * @param noticeVersion the notice version the patient saw when deciding (0 when they never decided)
 * @param version       the version of this decision, which {@code If-Match} names (0 before any decision)
 * @param updatedAt     when it was decided, or null when it never was
 * @param expiresAt     for a time-boxed grant, when it ends; null for a grant until the patient changes
 *                      their mind, and for every other state
 */
public record PurposeConsent(Purpose purpose, ConsentState state, int noticeVersion, long version,
                             Instant updatedAt, Instant expiresAt) {

    public PurposeConsent(Purpose purpose, ConsentState state, int noticeVersion, long version, Instant updatedAt) {
        this(purpose, state, noticeVersion, version, updatedAt, null);
    }

    public PurposeConsent {
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(state, "state");
    }

    /** The state before any decision. */
    public static PurposeConsent notSet(Purpose purpose) {
        return new PurposeConsent(purpose, ConsentState.NOT_SET, 0, 0, null);
    }

    public boolean isSet() {
        return state != ConsentState.NOT_SET;
    }

    /** The next version of this decision. */
    PurposeConsent next(ConsentState state, int noticeVersion, Instant at) {
        return next(state, noticeVersion, at, null);
    }

    PurposeConsent next(ConsentState state, int noticeVersion, Instant at, Instant expiresAt) {
        return new PurposeConsent(purpose, state, noticeVersion, version + 1, at, expiresAt);
    }
}
