package health.consent.model;

import java.util.Optional;

/**
 * The rules of consent, as pure functions: the service applies them when it stores and answers,
 * and anyone can read them here in one place.
 *
 * <ol>
 *   <li>No decision means DENY (opt-in).</li>
 *   <li>A secondary purpose can be granted only while CARE is granted; withdrawing CARE withdraws
 *       every secondary grant of that application.</li>
 *   <li>Granting CARE never grants a secondary purpose.</li>
 *   <li>An undeclared purpose is DENY with {@link Reason#PURPOSE_NOT_DECLARED}.</li>
 *   <li>A grant on an older notice of a secondary purpose stops permitting
 *       ({@link Reason#RECONSENT_REQUIRED}).</li>
 * </ol>
 */
public final class ConsentRules {

    private ConsentRules() {
    }

    /**
     * Why an application may or may not process a patient's data for a purpose.
     *
     * @param status                the application's status, or null if it is not in the catalogue
     * @param purpose               the purpose asked about
     * @param currentNoticeVersion  the version of the notice the application publishes for this purpose,
     *                              or null if it did not declare the purpose
     * @param care                  the patient's state for CARE with this application
     * @param state                 the patient's state for the purpose asked about
     * @param consentedNoticeVersion the notice version the patient saw when deciding (0 if never)
     */
    public static Reason reason(ApplicationStatus status, Purpose purpose, Integer currentNoticeVersion,
                                ConsentState care, ConsentState state, int consentedNoticeVersion) {
        if (status == null) {
            return Reason.UNKNOWN_APPLICATION;
        }
        if (status == ApplicationStatus.SUSPENDED) {
            return Reason.APPLICATION_SUSPENDED;
        }
        if (currentNoticeVersion == null) {
            return Reason.PURPOSE_NOT_DECLARED;
        }
        if (purpose.isSecondary() && care != ConsentState.GRANTED) {
            return Reason.CARE_NOT_GRANTED;
        }
        if (state != ConsentState.GRANTED) {
            return stateReason(state);
        }
        // A new notice for CARE never blocks care: only secondary grants need a fresh decision.
        if (purpose.isSecondary() && consentedNoticeVersion < currentNoticeVersion) {
            return Reason.RECONSENT_REQUIRED;
        }
        return Reason.GRANTED;
    }

    /** {@link #reason} as a decision. */
    public static Decision decide(ApplicationStatus status, Purpose purpose, Integer currentNoticeVersion,
                                  ConsentState care, ConsentState state, int consentedNoticeVersion) {
        return Decision.of(reason(status, purpose, currentNoticeVersion, care, state, consentedNoticeVersion));
    }

    private static Reason stateReason(ConsentState state) {
        return switch (state) {
            case GRANTED -> Reason.GRANTED;
            case REFUSED -> Reason.REFUSED;
            case WITHDRAWN -> Reason.WITHDRAWN;
            case NOT_SET -> Reason.NOT_SET;
        };
    }

    /**
     * Whether a patient may move one purpose from {@code current} to {@code requested}. A refusal is
     * a value, not an exception: it is an ordinary answer to give the patient.
     *
     * @param seenNoticeVersion    the notice version the patient saw, as they sent it
     * @param currentNoticeVersion the notice version the application publishes now
     */
    public static Optional<ChangeRefusal> checkChange(Purpose purpose, ConsentState current, ConsentState requested,
                                                      ConsentState care, int seenNoticeVersion,
                                                      int currentNoticeVersion) {
        if (!requested.isDecision()) {
            return Optional.of(new ChangeRefusal(ChangeRefusal.Kind.NOT_A_DECISION,
                    "NOT_SET cannot be chosen; choose GRANTED, REFUSED or WITHDRAWN"));
        }
        if (requested == ConsentState.GRANTED && seenNoticeVersion != currentNoticeVersion) {
            return Optional.of(new ChangeRefusal(ChangeRefusal.Kind.NOTICE_NOT_CURRENT,
                    "a grant must be given on the current notice, version " + currentNoticeVersion
                            + "; the notice seen was version " + seenNoticeVersion));
        }
        if (requested == ConsentState.GRANTED && purpose.isSecondary() && care != ConsentState.GRANTED) {
            return Optional.of(new ChangeRefusal(ChangeRefusal.Kind.SECONDARY_REQUIRES_CARE,
                    purpose + " can only be granted while CARE is granted for this application"));
        }
        if (requested == ConsentState.WITHDRAWN && current != ConsentState.GRANTED
                && current != ConsentState.WITHDRAWN) {
            return Optional.of(new ChangeRefusal(ChangeRefusal.Kind.NOTHING_TO_WITHDRAW,
                    "only a granted purpose can be withdrawn; its state is " + current));
        }
        return Optional.empty();
    }

    /**
     * True when the request changes nothing: the same state (and, for a grant, the same notice).
     * Such a request is answered with the current state and records no event.
     */
    public static boolean isNoChange(ConsentState current, int storedNoticeVersion, ConsentState requested,
                                     int seenNoticeVersion) {
        return current == requested && (requested != ConsentState.GRANTED || storedNoticeVersion == seenNoticeVersion);
    }

    /**
     * True when this change of CARE must withdraw every secondary grant of the application
     * (rule 2): CARE is set to anything but GRANTED.
     */
    public static boolean withdrawsSecondaryGrants(Purpose purpose, ConsentState requested) {
        return purpose == Purpose.CARE && requested != ConsentState.GRANTED;
    }
}
