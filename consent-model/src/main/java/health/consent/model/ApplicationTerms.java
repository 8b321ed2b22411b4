package health.consent.model;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an application declares in the catalogue, as far as decisions need it: whether it is
 * active, and the notice version it publishes for each purpose it declares.
 */
public record ApplicationTerms(ApplicationId application, ApplicationStatus status, Map<Purpose, Integer> notices,
                               Map<Purpose, Duration> longestGrants) {

    public ApplicationTerms {
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(status, "status");
        notices = notices.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(notices));
        longestGrants = longestGrants.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(longestGrants));
    }

    /** Terms with no limit on how long a grant lasts. */
    public ApplicationTerms(ApplicationId application, ApplicationStatus status, Map<Purpose, Integer> notices) {
        this(application, status, notices, Map.of());
    }

    /** The longest a grant of the purpose may last, when the application declares one. */
    public Optional<Duration> longestGrant(Purpose purpose) {
        return Optional.ofNullable(longestGrants.get(purpose));
    }

    /** The notice version published now for the purpose, or empty if it is not declared. */
    public Optional<Integer> notice(Purpose purpose) {
        return Optional.ofNullable(notices.get(purpose));
    }

    public boolean declares(Purpose purpose) {
        return notices.containsKey(purpose);
    }

    public boolean isSuspended() {
        return status == ApplicationStatus.SUSPENDED;
    }

    /**
     * The decision every patient gets for the purpose whatever they decided, or empty when it
     * depends on each patient: an unknown or suspended application, or an undeclared purpose.
     */
    public static Optional<Decision> uniformDecision(ApplicationTerms terms, Purpose purpose) {
        if (terms == null) {
            return Optional.of(Decision.deny(Reason.UNKNOWN_APPLICATION));
        }
        if (terms.isSuspended()) {
            return Optional.of(Decision.deny(Reason.APPLICATION_SUSPENDED));
        }
        if (!terms.declares(purpose)) {
            return Optional.of(Decision.deny(Reason.PURPOSE_NOT_DECLARED));
        }
        return Optional.empty();
    }

    /**
     * What publishing a new notice version of a purpose tells every patient's cache: a secondary
     * purpose's grants on the older notice stop permitting (rule 5); a new CARE notice changes no
     * decision, but the caches must ask again.
     */
    public static Optional<Decision> afterNewNotice(Purpose purpose) {
        return purpose.isSecondary() ? Optional.of(Decision.deny(Reason.RECONSENT_REQUIRED)) : Optional.empty();
    }

    /** What a change of status tells every patient's cache: suspension denies everything; reactivation depends on each. */
    public static Optional<Decision> afterStatus(ApplicationStatus status) {
        return status == ApplicationStatus.SUSPENDED
                ? Optional.of(Decision.deny(Reason.APPLICATION_SUSPENDED)) : Optional.empty();
    }
}
