package health.consent.service.web;

import health.consent.model.ApplicationId;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The filters of the log and audit queries, validated: {@code applicationId}, {@code patientId},
 * {@code purpose}, and a period {@code from} (inclusive) to {@code to} (exclusive), each an
 * ISO-8601 UTC time ({@code 2026-11-22T08:00:00Z}) or a day ({@code 2026-11-22}; as {@code to},
 * the whole day is included).
 */
public record Filters(String applicationId, String patientId, Purpose purpose, Instant from, Instant to) {

    public static Filters parse(String applicationId, String patientId, String purpose, String from, String to) {
        Input input = new Input();
        if (applicationId != null && !ApplicationId.isValid(applicationId)) {
            input.problem("applicationId", "must match " + ApplicationId.PATTERN);
        }
        if (patientId != null && !PatientId.isValid(patientId)) {
            input.problem("patientId", "must match " + PatientId.PATTERN);
        }
        Purpose p = null;
        if (purpose != null) {
            p = Purpose.fromWire(purpose).orElse(null);
            if (p == null) {
                input.problem("purpose", "must be one of " + Purpose.WIRE_NAMES);
            }
        }
        Instant start = time(input, "from", from, false);
        Instant end = time(input, "to", to, true);
        if (start != null && end != null && !start.isBefore(end)) {
            input.problem("to", "must be after from");
        }
        input.check();
        return new Filters(applicationId, patientId, p, start, end);
    }

    private static Instant time(Input input, String name, String value, boolean endOfDay) {
        if (value == null) {
            return null;
        }
        try {
            if (value.length() == 10) {
                LocalDate day = LocalDate.parse(value);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            input.problem(name, "must be a UTC time such as 2026-11-22T08:00:00Z, or a day such as 2026-11-22");
            return null;
        }
    }

    /** The SQL conditions (joined with AND, after a WHERE) and their parameters. */
    public record Where(String sql, List<Object> params) {
    }

    /** Conditions on the given columns; a null column name means that filter does not apply. */
    public Where where(String applicationColumn, String patientColumn, String purposeColumn, String timeColumn) {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        add(conditions, params, applicationColumn, " = ?", applicationId);
        add(conditions, params, patientColumn, " = ?", patientId);
        add(conditions, params, purposeColumn, " = ?", purpose);
        add(conditions, params, timeColumn, " >= ?", from);
        add(conditions, params, timeColumn, " < ?", to);
        return new Where(conditions.isEmpty() ? "1 = 1" : String.join(" AND ", conditions), params);
    }

    private static void add(List<String> conditions, List<Object> params, String column, String op, Object value) {
        if (column != null && value != null) {
            conditions.add(column + op);
            params.add(value);
        }
    }
}
