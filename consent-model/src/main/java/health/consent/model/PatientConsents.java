package health.consent.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One patient's consents to one application: the aggregate that every answer of the product
 * derives from. It decides a purpose, and applies a change, returning the events the change
 * produces or the refusal. The rules of consent live here and nowhere else:
 *
 * <ol>
 *   <li>No decision means DENY (opt-in).</li>
 *   <li>A secondary purpose can be granted only while CARE is granted; setting CARE to anything
 *       but GRANTED withdraws every secondary grant of that application, one CASCADE event each.</li>
 *   <li>Granting CARE never grants a secondary purpose.</li>
 *   <li>An undeclared purpose is DENY with {@link Reason#PURPOSE_NOT_DECLARED}.</li>
 *   <li>A grant on an older notice of a secondary purpose stops permitting
 *       ({@link Reason#RECONSENT_REQUIRED}); a new CARE notice never blocks care.</li>
 *   <li>A grant may be time-boxed ({@code expiresAt}), never beyond the longest grant the application
 *       declares for the purpose (which is then the default); at its end it becomes EXPIRED
 *       ({@link #expire}), and an expired CARE withdraws the secondary grants as a withdrawal does.</li>
 * </ol>
 *
 * <p>Immutable: a change returns a new aggregate.
 */
public final class PatientConsents {

    private final PatientId patient;
    private final ApplicationId application;
    private final ApplicationTerms terms;
    private final Map<Purpose, PurposeConsent> consents;

    private PatientConsents(PatientId patient, ApplicationId application, ApplicationTerms terms,
                            Map<Purpose, PurposeConsent> consents) {
        this.patient = Objects.requireNonNull(patient, "patient");
        this.application = Objects.requireNonNull(application, "application");
        this.terms = terms;
        this.consents = consents;
    }

    /**
     * The aggregate from what is stored.
     *
     * @param terms    the application's terms, or null when it is not in the catalogue
     * @param decided  the stored decisions (any subset of the purposes; the others are NOT_SET)
     */
    public static PatientConsents of(PatientId patient, ApplicationId application, ApplicationTerms terms,
                                     Collection<PurposeConsent> decided) {
        if (terms != null && !terms.application().equals(application)) {
            throw new IllegalArgumentException("terms of " + terms.application() + " for " + application);
        }
        Map<Purpose, PurposeConsent> map = new EnumMap<>(Purpose.class);
        for (PurposeConsent c : decided) {
            map.put(c.purpose(), c);
        }
        return new PatientConsents(patient, application, terms, map);
    }

    public PatientId patient() {
        return patient;
    }

    public ApplicationId application() {
        return application;
    }

    /** The application's terms, or null when it is not in the catalogue. */
    public ApplicationTerms terms() {
        return terms;
    }

    /** What the patient decided for the purpose (NOT_SET, version 0, when they never did). */
    public PurposeConsent consent(Purpose purpose) {
        PurposeConsent c = consents.get(purpose);
        return c == null ? PurposeConsent.notSet(purpose) : c;
    }

    /** May the application process the patient's data for the purpose, and why. */
    public Decision decide(Purpose purpose) {
        return Decision.of(reason(purpose));
    }

    /**
     * Whether {@link #decide} permits, for a patient of whom only the grants are known: whether CARE
     * is granted, and the notice version of the grant of {@code purpose} (null when it is not
     * granted). Only a grant ever permits, so a cohort is decided from its grants alone, without
     * reading every patient's other decisions.
     */
    public static boolean permittedByGrants(ApplicationTerms terms, Purpose purpose, boolean careGranted,
                                            Integer purposeGrantNotice) {
        if (ApplicationTerms.uniformDecision(terms, purpose).isPresent() || !careGranted) {
            return false;
        }
        return purpose.isPrimary() || purposeGrantNotice != null
                && purposeGrantNotice >= terms.notice(purpose).orElseThrow();
    }

    /**
     * The version of the patient's decision to show the application with an answer: 0 when the
     * application may learn nothing about the patient (it is suspended or unknown), so that the
     * answer does not even reveal that the patient ever decided.
     */
    public long versionShown(Purpose purpose) {
        return terms == null || terms.isSuspended() ? 0 : consent(purpose).version();
    }

    private Reason reason(Purpose purpose) {
        var uniform = ApplicationTerms.uniformDecision(terms, purpose);
        if (uniform.isPresent()) {
            return uniform.get().reason();
        }
        if (purpose.isSecondary() && consent(Purpose.CARE).state() != ConsentState.GRANTED) {
            return Reason.CARE_NOT_GRANTED;
        }
        PurposeConsent own = consent(purpose);
        switch (own.state()) {
            case NOT_SET:
                return Reason.NOT_SET;
            case REFUSED:
                return Reason.REFUSED;
            case WITHDRAWN:
                return Reason.WITHDRAWN;
            case EXPIRED:
                return Reason.EXPIRED;
            case GRANTED:
            default:
                break;
        }
        if (purpose.isSecondary() && own.noticeVersion() < terms.notice(purpose).orElseThrow()) {
            return Reason.RECONSENT_REQUIRED;
        }
        return Reason.GRANTED;
    }

    /**
     * Applies a patient's (or their representative's) change. A refusal is a value, not an
     * exception: it is an ordinary answer to give the patient.
     */
    public ChangeOutcome change(ConsentChange change, DecidedBy decidedBy, Instant at) {
        Purpose purpose = change.purpose();
        if (terms == null) {
            return refused(ChangeRefusal.Kind.UNKNOWN_APPLICATION,
                    "no application '" + application + "' in the catalogue");
        }
        Integer published = terms.notice(purpose).orElse(null);
        if (published == null) {
            return refused(ChangeRefusal.Kind.PURPOSE_NOT_DECLARED,
                    "application '" + application + "' does not declare the purpose " + purpose);
        }
        PurposeConsent current = consent(purpose);
        if (change.ifMatch() != null && change.ifMatch() != current.version()) {
            return refused(ChangeRefusal.Kind.STALE_VERSION, "this consent changed since you read it: its version is "
                    + current.version() + ", not " + change.ifMatch() + "; read it again before deciding");
        }
        ConsentState requested = change.state();
        if (requested == ConsentState.GRANTED && terms.isSuspended()) {
            return refused(ChangeRefusal.Kind.APPLICATION_SUSPENDED,
                    "application '" + application + "' is suspended and cannot be granted anything");
        }
        int seen = change.seenNoticeVersion() == null ? published : change.seenNoticeVersion();
        if (!requested.isDecision()) {
            return refused(ChangeRefusal.Kind.NOT_A_DECISION,
                    "NOT_SET cannot be chosen; choose GRANTED, REFUSED or WITHDRAWN");
        }
        if (requested == ConsentState.GRANTED && seen != published) {
            return refused(ChangeRefusal.Kind.NOTICE_NOT_CURRENT, "a grant must be given on the current notice, version "
                    + published + "; the notice seen was version " + seen);
        }
        if (requested == ConsentState.GRANTED && purpose.isSecondary()
                && consent(Purpose.CARE).state() != ConsentState.GRANTED) {
            return refused(ChangeRefusal.Kind.SECONDARY_REQUIRES_CARE,
                    purpose + " can only be granted while CARE is granted for this application");
        }
        Instant expiresAt = change.expiresAt();
        if (expiresAt != null && requested != ConsentState.GRANTED) {
            return refused(ChangeRefusal.Kind.INVALID_EXPIRY, "only a grant may end at a time");
        }
        if (requested == ConsentState.GRANTED) {
            var longest = terms.longestGrant(purpose);
            if (expiresAt != null && !expiresAt.isAfter(at)) {
                return refused(ChangeRefusal.Kind.INVALID_EXPIRY, "expiresAt must be ahead of now");
            }
            if (longest.isPresent() && expiresAt != null && expiresAt.isAfter(at.plus(longest.get()))) {
                return refused(ChangeRefusal.Kind.INVALID_EXPIRY, "the application declares grants of " + purpose
                        + " for " + longest.get().toDays() + " days at most: expiresAt must be at the latest "
                        + at.plus(longest.get()));
            }
            if (expiresAt == null && longest.isPresent()) {
                expiresAt = at.plus(longest.get());
            }
        }
        if (requested == ConsentState.WITHDRAWN && current.state() != ConsentState.GRANTED
                && current.state() != ConsentState.WITHDRAWN) {
            return refused(ChangeRefusal.Kind.NOTHING_TO_WITHDRAW,
                    "only a granted purpose can be withdrawn; its state is " + current.state());
        }
        // The same state again (and, for a grant, on the same notice until the same time) records nothing;
        // a grant with no end asked again keeps a declared longest grant's end as it was.
        if (current.isSet() && current.state() == requested && (requested != ConsentState.GRANTED
                || (current.noticeVersion() == seen && (Objects.equals(current.expiresAt(), change.expiresAt())
                    || (change.expiresAt() == null && terms.longestGrant(purpose).isPresent()))))) {
            return new ChangeOutcome.Applied(List.of(), this);
        }

        Map<Purpose, PurposeConsent> after = new EnumMap<>(Purpose.class);
        after.putAll(consents);
        List<ConsentEvent> events = new ArrayList<>();
        after.put(purpose, current.next(requested, seen, at, expiresAt));
        events.add(event(purpose, requested, current.state(), seen, decidedBy, change.channel(), at)
                .withExpiry(expiresAt));
        return cascade(purpose, requested, decidedBy, at, after, events);
    }

    /**
     * Ends a time-boxed grant whose time has come: EXPIRED, one event on channel EXPIRY decided by
     * the service (and, for CARE, the cascade). Nothing when the purpose is not such a grant, or not
     * yet due, so that two instances racing to expire it record one event.
     */
    public ChangeOutcome expire(Purpose purpose, Instant at) {
        PurposeConsent current = consent(purpose);
        if (current.state() != ConsentState.GRANTED || current.expiresAt() == null || current.expiresAt().isAfter(at)) {
            return new ChangeOutcome.Applied(List.of(), this);
        }
        DecidedBy service = new DecidedBy(ActorType.SERVICE, "expiry");
        Map<Purpose, PurposeConsent> after = new EnumMap<>(Purpose.class);
        after.putAll(consents);
        List<ConsentEvent> events = new ArrayList<>();
        after.put(purpose, current.next(ConsentState.EXPIRED, current.noticeVersion(), at));
        events.add(event(purpose, ConsentState.EXPIRED, ConsentState.GRANTED, current.noticeVersion(), service,
                Channel.EXPIRY, at));
        return cascade(purpose, ConsentState.EXPIRED, service, at, after, events);
    }

    /** CARE set to anything but GRANTED withdraws every secondary grant, one CASCADE event each. */
    private ChangeOutcome cascade(Purpose purpose, ConsentState requested, DecidedBy decidedBy, Instant at,
                                  Map<Purpose, PurposeConsent> after, List<ConsentEvent> events) {
        if (purpose == Purpose.CARE && requested != ConsentState.GRANTED) {
            for (PurposeConsent c : consents.values()) {
                if (c.purpose().isSecondary() && c.state() == ConsentState.GRANTED) {
                    after.put(c.purpose(), c.next(ConsentState.WITHDRAWN, c.noticeVersion(), at));
                    events.add(event(c.purpose(), ConsentState.WITHDRAWN, ConsentState.GRANTED, c.noticeVersion(),
                            decidedBy, Channel.CASCADE, at));
                }
            }
        }
        return new ChangeOutcome.Applied(events, new PatientConsents(patient, application, terms, after));
    }

    private ConsentEvent event(Purpose purpose, ConsentState state, ConsentState previous, int notice,
                               DecidedBy decidedBy, Channel channel, Instant at) {
        return new ConsentEvent(0, patient, application, purpose, state, previous, notice, decidedBy, channel, null,
                at, null, null);
    }

    private static ChangeOutcome refused(ChangeRefusal.Kind kind, String message) {
        return new ChangeOutcome.Refused(new ChangeRefusal(kind, message));
    }
}
