package health.consent.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A patient's request to set one purpose of one application.
 *
 * @param seenNoticeVersion the notice version the patient saw, or null for the one published now
 * @param ifMatch           the version the patient read, or null when they do not guard against a race
 * @param expiresAt         for a grant, when it ends (null: until the patient changes their mind, or the
 *                          longest the application declares for the purpose)
 */
public record ConsentChange(Purpose purpose, ConsentState state, Integer seenNoticeVersion, Channel channel,
                            Long ifMatch, Instant expiresAt) {

    public ConsentChange(Purpose purpose, ConsentState state, Integer seenNoticeVersion, Channel channel, Long ifMatch) {
        this(purpose, state, seenNoticeVersion, channel, ifMatch, null);
    }

    public ConsentChange {
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(channel, "channel");
    }
}
