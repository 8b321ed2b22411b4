package health.consent.model;

import java.util.regex.Pattern;

/**
 * A patient's identifier as the national portal knows it: 1 to 64 characters among
 * letters, digits and {@code . _ : -}.
 */
public record PatientId(String value) {

    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** The format, for error messages and API documentation. */
    public static final String PATTERN = "^[A-Za-z0-9._:-]{1,64}$";

    public PatientId {
        if (!isValid(value)) {
            throw new InvalidIdentifierException("patient id must match " + PATTERN);
        }
    }

    public static PatientId of(String value) {
        return new PatientId(value);
    }

    public static boolean isValid(String value) {
        return value != null && FORMAT.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
