package health.consent.model;

/** Why a decision is what it is. A closed set: applications may switch over it exhaustively. */
public enum Reason {
    /** The patient granted this purpose (and CARE, for a secondary purpose) on the current notice. */
    GRANTED,
    /** The patient never decided: opt-in means no. */
    NOT_SET,
    /** The patient refused. */
    REFUSED,
    /** The patient withdrew an earlier grant. */
    WITHDRAWN,
    /** The patient's grant was given until a time, which has passed. */
    EXPIRED,
    /** A secondary purpose is asked for while CARE is not granted. */
    CARE_NOT_GRANTED,
    /** The application did not declare this purpose in the catalogue. */
    PURPOSE_NOT_DECLARED,
    /** The grant was given on an older notice; the patient must decide again. */
    RECONSENT_REQUIRED,
    /** The application is suspended from the catalogue. */
    APPLICATION_SUSPENDED,
    /** The application is not in the catalogue. */
    UNKNOWN_APPLICATION,
    /**
     * Answered by the client SDK only, never by the service: consent could not be verified (the
     * service is unreachable and no trusted answer is cached), so the answer fails closed.
     */
    SERVICE_UNAVAILABLE
}
