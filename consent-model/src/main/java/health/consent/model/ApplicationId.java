package health.consent.model;

import java.util.regex.Pattern;

/**
 * A catalogue application's identifier: 3 to 64 characters, lowercase letters, digits and
 * hyphens, starting with a letter or digit.
 */
public record ApplicationId(String value) {

    private static final Pattern FORMAT = Pattern.compile("[a-z0-9][a-z0-9-]{2,63}");

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

    public static boolean isValid(String value) {
        return value != null && FORMAT.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
