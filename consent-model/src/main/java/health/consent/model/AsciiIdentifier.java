package health.consent.model;

/**
 * The check the model's identifiers share, written by hand rather than as a regular expression
 * (the SDK checks a patient id on every decision, the service a thousand records a request).
 */
public final class AsciiIdentifier {

    private AsciiIdentifier() {
    }

    /**
     * True when {@code value} has 1 to {@code maxLength} characters, each an ASCII letter, an ASCII
     * digit or one of {@code punctuation}.
     */
    public static boolean matches(String value, int maxLength, String punctuation) {
        if (value == null || value.isEmpty() || value.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || punctuation.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
