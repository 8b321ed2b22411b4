package health.consent.model;

/** Why a requested consent change is not allowed, in words fit to show. */
public record ChangeRefusal(Kind kind, String message) {

    public enum Kind {
        NOT_A_DECISION,
        NOTICE_NOT_CURRENT,
        SECONDARY_REQUIRES_CARE,
        NOTHING_TO_WITHDRAW
    }
}
