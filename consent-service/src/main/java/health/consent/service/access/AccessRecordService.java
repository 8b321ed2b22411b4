package health.consent.service.access;

import health.consent.model.Outcome;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.service.audit.AuditLog;
import health.consent.service.db.Db;
import health.consent.service.web.Input;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Stores what applications report they did with patients' data. A record's id is chosen by the
 * application (a UUID), so a batch sent again after a lost answer stores nothing twice.
 */
@Singleton
public class AccessRecordService {

    public static final int MAX_BATCH = 1_000;
    static final int MAX_ACTOR = 128;
    /** How far ahead of the service's clock a record's time may be: clocks drift, records do not come from the future. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final Pattern CATEGORY = Pattern.compile("^[A-Za-z0-9._-]{1,64}$");
    private static final Set<String> FIELDS = Set.of("id", "patientId", "purpose", "actor", "dataCategory", "outcome", "at");

    /** A validated record. */
    public record AccessRecord(String id, String patientId, Purpose purpose, String actor, String dataCategory,
                               Outcome outcome, Instant at) {
    }

    /** How many records came, and how many were new. */
    @Serdeable
    public record Receipt(int received, int stored) {
    }

    private final Db db;
    private final AuditLog auditLog;

    public AccessRecordService(Db db, AuditLog auditLog) {
        this.db = db;
        this.auditLog = auditLog;
    }

    public Receipt store(String applicationId, JsonNode body) {
        List<AccessRecord> records = parse(body, Db.now());
        Instant receivedAt = Db.now();
        List<Object[]> rows = new ArrayList<>(records.size());
        for (AccessRecord r : records) {
            rows.add(new Object[] {applicationId, r.id(), r.patientId(), r.purpose(), r.actor(), r.dataCategory(),
                    r.outcome(), r.at(), receivedAt});
        }
        int stored = db.inTransaction(() -> db.isPostgres() ? insertAll(rows) : Arrays.stream(db.batch(
                "INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, outcome, at, "
                        + "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows))
                .map(c -> c > 0 ? 1 : 0).sum());
        auditLog.written();
        return new Receipt(records.size(), stored);
    }

    /** PostgreSQL: the whole batch in one statement; it answers how many rows were new. */
    private int insertAll(List<Object[]> rows) {
        Object[][] columns = new Object[9][rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            Object[] row = rows.get(r);
            for (int c = 0; c < 9; c++) {
                Object v = row[c];
                columns[c][r] = v instanceof Enum<?> e ? e.name() : v instanceof Instant t ? t.toString() : v;
            }
        }
        return db.update("INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, "
                        + "outcome, at, received_at) SELECT app, id, patient, purpose, actor, category, outcome, "
                        + "at::timestamptz, received::timestamptz FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], "
                        + "?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[]) "
                        + "AS u(app, id, patient, purpose, actor, category, outcome, at, received) ON CONFLICT DO NOTHING",
                java.util.stream.IntStream.range(0, 9).mapToObj(c -> new Db.SqlArray("varchar", columns[c])).toArray());
    }

    static List<AccessRecord> parse(JsonNode body, Instant now) {
        Input input = new Input();
        if (body == null || !body.isArray()) {
            input.problem("body", "must be a JSON array of access records");
            input.check();
        }
        if (body.size() == 0 || body.size() > MAX_BATCH) {
            input.problem("body", "must hold 1 to " + MAX_BATCH + " records; it has " + body.size());
            input.check();
        }
        List<AccessRecord> records = new ArrayList<>(body.size());
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < body.size(); i++) {
            String path = Input.index("", i);
            JsonNode node = body.get(i);
            if (!node.isObject()) {
                input.problem(path, "must be an object");
                continue;
            }
            input.onlyFields(node, path, FIELDS);
            String id = input.identifier(node, path, "id", v -> UUID.matcher(v).matches(), "a UUID");
            if (id != null && !ids.add(id.toLowerCase())) {
                input.problem(Input.join(path, "id"), "appears twice in this batch");
            }
            String patient = input.identifier(node, path, "patientId", PatientId::isValid, PatientId.PATTERN);
            Purpose purpose = input.oneOf(node, path, "purpose", Purpose::fromWire, Purpose.WIRE_NAMES);
            String actor = input.text(node, path, "actor", MAX_ACTOR);
            String category = input.identifier(node, path, "dataCategory", v -> CATEGORY.matcher(v).matches(),
                    CATEGORY.pattern());
            Outcome outcome = input.oneOf(node, path, "outcome", AccessRecordService::outcome, "PERMIT, DENY");
            Instant at = instant(input, node, path, now);
            records.add(new AccessRecord(id == null ? null : id.toLowerCase(), patient, purpose, actor, category,
                    outcome, at));
        }
        input.check();
        return records;
    }

    private static Optional<Outcome> outcome(String name) {
        return "PERMIT".equals(name) ? Optional.of(Outcome.PERMIT)
                : "DENY".equals(name) ? Optional.of(Outcome.DENY) : Optional.empty();
    }

    private static Instant instant(Input input, JsonNode node, String path, Instant now) {
        String where = Input.join(path, "at");
        JsonNode value = node.get("at");
        if (value == null || value.isNull()) {
            input.problem(where, "is required");
            return null;
        }
        try {
            Instant at = value.isString() ? Instant.parse(value.getStringValue()) : null;
            if (at == null) {
                input.problem(where, "must be a UTC time such as 2026-11-22T08:30:00Z");
            } else if (at.isAfter(now.plus(MAX_CLOCK_SKEW))) {
                input.problem(where, "is in the future");
            }
            return at;
        } catch (DateTimeParseException e) {
            input.problem(where, "must be a UTC time such as 2026-11-22T08:30:00Z");
            return null;
        }
    }
}
