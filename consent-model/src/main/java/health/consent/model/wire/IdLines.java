package health.consent.model.wire;

import java.util.Collection;

/**
 * The cohort path's text, both ways: patient ids, each followed by a line break. Valid patient ids
 * are ASCII, so each character is its byte, copied once (a cohort sends a million of them).
 */
public final class IdLines {

    private IdLines() {
    }

    /** The ids (valid patient ids), one per line; a character beyond ASCII is refused rather than cut to a byte. */
    public static byte[] encode(Collection<String> ids) {
        int size = 0;
        for (String id : ids) {
            size += id.length() + 1;
        }
        byte[] lines = new byte[size];
        int at = 0;
        for (String id : ids) {
            for (int i = 0; i < id.length(); i++) {
                char c = id.charAt(i);
                if (c >= 128) {
                    throw new IllegalArgumentException("a patient id holds a character beyond ASCII");
                }
                lines[at++] = (byte) c;
            }
            lines[at++] = '\n';
        }
        return lines;
    }
}
