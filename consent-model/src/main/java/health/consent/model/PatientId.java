package health.consent.model;

/**
 * A patient's identifier as the national portal knows it: 1 to 64 characters among
 * letters, digits and {@code . _ : -}.
 */
public record PatientId(String value) {

    /** The format, for error messages and API documentation. */
    public static final String PATTERN = "^[A-Za-z0-9._:-]{1,64}$";
    private static final AsciiIdentifier FORM = new AsciiIdentifier(64, "._:-");

    public PatientId {
        if (!isValid(value)) {
            throw new InvalidIdentifierException("patient id must match " + PATTERN);
        }
    }

    public static PatientId of(String value) {
        return new PatientId(value);
    }

    /** Checked by hand rather than with a regular expression: the SDK calls this on every check. */
    public static boolean isValid(String value) {
        return FORM.matches(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
