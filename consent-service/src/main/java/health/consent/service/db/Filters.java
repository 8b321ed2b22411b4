package health.consent.service.db;

import health.consent.model.ApplicationId;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The filters of the log and audit queries, validated by the web layer: {@code applicationId},
 * {@code patientId}, {@code purpose}, and a period {@code from} (inclusive) to {@code to} (exclusive).
 */
public record Filters(ApplicationId applicationId, PatientId patientId, Purpose purpose, Instant from, Instant to) {

    /** The same filters, for one patient only. */
    public Filters forPatient(PatientId patient) {
        return new Filters(applicationId, patient, purpose, from, to);
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
