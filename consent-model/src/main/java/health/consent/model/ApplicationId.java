package health.consent.model;

/**
 * A catalogue application's identifier: 3 to 64 characters, lowercase letters, digits and
 * hyphens, starting with a letter or digit.
 */
public record ApplicationId(String value) {

    /** The format, for error messages and API documentation. */
    public static final String PATTERN = "^[a-z0-9][a-z0-9-]{2,63}$";

    public ApplicationId {
        if (!isValid(value)) {
            throw new InvalidIdentifierException("application id must match " + PATTERN);
        }
    }

    public static ApplicationId of(String value) {
        return new ApplicationId(value);
    }

    /**
     * Checked by hand rather than with {@link #PATTERN}: every application's request and every
     * long poll of the change feed checks one, and a matcher costs an allocation each time.
     */
    public static boolean isValid(String value) {
        if (value == null || value.length() < 3 || value.length() > 64 || value.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return value;
    }
}
