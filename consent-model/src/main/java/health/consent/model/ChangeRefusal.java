package health.consent.model;

/** Why a requested consent change is not allowed, in words fit to show. */
public record ChangeRefusal(Kind kind, String message) {

    public enum Kind {
        /** The application is not in the catalogue. */
        UNKNOWN_APPLICATION,
        /** The application does not declare the purpose. */
        PURPOSE_NOT_DECLARED,
        /** The decision changed since the patient read it ({@code If-Match}). */
        STALE_VERSION,
        /** A suspended application cannot be granted anything. */
        APPLICATION_SUSPENDED,
        NOT_A_DECISION,
        NOTICE_NOT_CURRENT,
        SECONDARY_REQUIRES_CARE,
        NOTHING_TO_WITHDRAW,
        /** {@code expiresAt} given with something other than a grant, not ahead, or beyond the declared longest grant. */
        INVALID_EXPIRY
    }
}
