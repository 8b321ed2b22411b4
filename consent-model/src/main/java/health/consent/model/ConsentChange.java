package health.consent.model;

import java.util.Objects;

/**
 * A patient's request to set one purpose of one application.
 *
 * @param seenNoticeVersion the notice version the patient saw, or null for the one published now
 * @param ifMatch           the version the patient read, or null when they do not guard against a race
 */
public record ConsentChange(Purpose purpose, ConsentState state, Integer seenNoticeVersion, Channel channel,
                            Long ifMatch) {

    public ConsentChange {
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(channel, "channel");
    }
}
