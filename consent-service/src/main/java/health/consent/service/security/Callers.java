package health.consent.service.security;

import health.consent.model.ActorType;
import health.consent.model.ApplicationId;
import health.consent.model.DecidedBy;
import health.consent.model.PatientId;
import health.consent.service.web.ApiException;
import io.micronaut.security.authentication.Authentication;
import java.util.Map;

/**
 * Who is calling, read from the validated token. A PATIENT token's subject is the patient; an
 * APPLICATION token's subject is the application. A representative acting for a patient is named
 * in the RFC 8693 {@code act} claim: {@code "act": {"sub": "<representative>"}}.
 */
public final class Callers {

    private Callers() {
    }

    /** The patient a PATIENT token speaks for, and who is actually acting. */
    public record PatientCaller(PatientId patient, ActorType actorType, String actorId) {

        /** Who decides when this caller changes a consent. */
        public DecidedBy decidedBy() {
            return new DecidedBy(actorType, actorId);
        }
    }

    public static PatientCaller patient(Authentication authentication) {
        String subject = authentication.getName();
        if (!PatientId.isValid(subject)) {
            throw ApiException.forbidden("the token's subject is not a valid patient id");
        }
        Object act = authentication.getAttributes().get("act");
        if (act == null) {
            return new PatientCaller(PatientId.of(subject), ActorType.PATIENT, subject);
        }
        String representative = actor(act, "representative");
        if (representative.equals(subject)) {
            // A patient acting for themselves is the patient: calling it a representative would misstate the history.
            throw ApiException.forbidden("the token's act claim names the patient themselves as their representative");
        }
        return new PatientCaller(PatientId.of(subject), ActorType.REPRESENTATIVE, representative);
    }

    /** A regulator (the authority, the token's subject) and the person acting for it, when the token names one. */
    public record RegulatorCaller(String regulator, String actingPerson) {

        /** Who read, as the patient sees it in their log: the person acting, or else the authority. */
        public String actor() {
            return actingPerson == null ? regulator : actingPerson;
        }
    }

    /** A regulator, named by the token's subject (1 to 64 of letters, digits and {@code . _ : -}). */
    public static RegulatorCaller regulator(Authentication authentication) {
        String subject = authentication.getName();
        if (!PatientId.isValid(subject)) {
            throw ApiException.forbidden("the token's subject is not a valid regulator id");
        }
        Object act = authentication.getAttributes().get("act");
        return new RegulatorCaller(subject, act == null ? null : actor(act, "person acting for the regulator"));
    }

    /** The id in an RFC 8693 {@code act} claim, {@code {"sub": "<id>"}}. */
    private static String actor(Object act, String who) {
        Object id = act instanceof Map<?, ?> m ? m.get("sub") : null;
        if (!(id instanceof String s) || !PatientId.isValid(s)) {
            throw ApiException.forbidden("the token's act claim must name the " + who + " as {\"sub\": \"<id>\"}");
        }
        return s;
    }

    public static ApplicationId application(Authentication authentication) {
        String subject = authentication.getName();
        if (!ApplicationId.isValid(subject)) {
            throw ApiException.forbidden("the token's subject is not a valid application id");
        }
        return ApplicationId.of(subject);
    }
}
