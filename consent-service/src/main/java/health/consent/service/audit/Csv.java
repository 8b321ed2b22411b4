package health.consent.service.audit;

import java.util.List;

/** RFC 4180 CSV: a header row, then one row per record; fields quoted when they need it. */
final class Csv {

    private Csv() {
    }

    static String write(List<String> columns, List<List<Object>> rows) {
        StringBuilder out = new StringBuilder();
        line(out, columns.stream().map(c -> (Object) c).toList());
        rows.forEach(r -> line(out, r));
        return out.toString();
    }

    private static void line(StringBuilder out, List<Object> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Object v = values.get(i);
            String s = v == null ? "" : v.toString();
            // A leading =, +, - or @ would be a formula to a spreadsheet: quote it as text.
            boolean formula = !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0;
            if (formula || s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
                out.append('"').append(formula ? "'" : "").append(s.replace("\"", "\"\"")).append('"');
            } else {
                out.append(s);
            }
        }
        out.append("\r\n");
    }
}
