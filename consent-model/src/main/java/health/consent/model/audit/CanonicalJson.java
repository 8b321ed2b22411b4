package health.consent.model.audit;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical bytes of a flat JSON object whose values are strings, whole numbers or null, as
 * RFC 8785 (JSON Canonicalization Scheme) writes them: keys sorted by UTF-16 code units, no
 * white space, strings with only the required escapes, UTF-8. Any JCS library gives the same
 * bytes, so anyone can recompute an audit leaf.
 */
public final class CanonicalJson {

    private CanonicalJson() {
    }

    public static byte[] bytes(Map<String, ?> fields) {
        StringBuilder out = new StringBuilder(512);
        out.append('{');
        boolean first = true;
        // String's natural order is by UTF-16 code units, as RFC 8785 asks.
        for (Map.Entry<String, ?> e : new TreeMap<>(fields).entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, e.getKey());
            out.append(':');
            Object v = e.getValue();
            if (v == null) {
                out.append("null");
            } else if (v instanceof Long || v instanceof Integer) {
                out.append(v);
            } else if (v instanceof String s) {
                string(out, s);
            } else {
                throw new IllegalArgumentException("only strings, whole numbers and null are canonical: " + e.getKey());
            }
        }
        out.append('}');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Appends {@code s} as a JSON string with RFC 8785's escapes (which any JSON reader accepts):
     * the runs between characters to escape are copied whole.
     */
    public static void string(StringBuilder out, String s) {
        out.append('"');
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(s, run, i);
            run = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        out.append(s, run, s.length());
        out.append('"');
    }
}
