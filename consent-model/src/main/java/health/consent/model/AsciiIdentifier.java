package health.consent.model;

/**
 * The check the model's identifiers share, written by hand rather than as a regular expression
 * (the SDK checks a patient id on every decision, the service a thousand records a request and a
 * million ids a cohort): 1 to a most characters, each an ASCII letter, an ASCII digit or one of
 * the identifier's punctuation, looked up in a table of the 128 ASCII characters.
 */
public final class AsciiIdentifier {

    /** The characters allowed, by bit: {@code low} for 0 to 63, {@code high} for 64 to 127. */
    private final long low;
    private final long high;
    private final int maxLength;

    /** Letters, digits and the characters of {@code punctuation} (ASCII), 1 to {@code maxLength} of them. */
    public AsciiIdentifier(int maxLength, String punctuation) {
        StringBuilder allowed = new StringBuilder(punctuation);
        for (char c = '0'; c <= '9'; c++) {
            allowed.append(c);
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            allowed.append(c).append(Character.toLowerCase(c));
        }
        long l = 0;
        long h = 0;
        for (int i = 0; i < allowed.length(); i++) {
            char c = allowed.charAt(i);
            if (c >= 128) {
                throw new IllegalArgumentException("not ASCII: " + c);
            }
            if (c < 64) {
                l |= 1L << c;
            } else {
                h |= 1L << (c - 64);
            }
        }
        this.low = l;
        this.high = h;
        this.maxLength = maxLength;
    }

    /** True when {@code value} has 1 to the most characters, each one allowed. */
    public boolean matches(String value) {
        if (value == null || value.isEmpty() || value.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // A shift takes its count modulo 64, so the character's range picks the table.
            long bits = c < 64 ? low : c < 128 ? high : 0;
            if ((bits & (1L << c)) == 0) {
                return false;
            }
        }
        return true;
    }
}
