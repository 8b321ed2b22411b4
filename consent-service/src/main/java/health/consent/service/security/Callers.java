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
        Object representative = act instanceof Map<?, ?> m ? m.get("sub") : null;
        if (!(representative instanceof String r) || !PatientId.isValid(r)) {
            throw ApiException.forbidden("the token's act claim must name the representative as {\"sub\": \"<id>\"}");
        }
        return new PatientCaller(PatientId.of(subject), ActorType.REPRESENTATIVE, r);
    }

    /** A regulator, named by the token's subject (1 to 64 of letters, digits and {@code . _ : -}). */
    public static String regulator(Authentication authentication) {
        String subject = authentication.getName();
        if (!PatientId.isValid(subject)) {
            throw ApiException.forbidden("the token's subject is not a valid regulator id");
        }
        return subject;
    }

    public static ApplicationId application(Authentication authentication) {
        String subject = authentication.getName();
        if (!ApplicationId.isValid(subject)) {
            throw ApiException.forbidden("the token's subject is not a valid application id");
        }
        return ApplicationId.of(subject);
    }
}
