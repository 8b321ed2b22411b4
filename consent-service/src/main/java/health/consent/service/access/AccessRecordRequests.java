package health.consent.service.access;

import health.consent.model.Outcome;
import health.consent.model.PatientId;
import health.consent.model.audit.IsoInstant;
import health.consent.model.Purpose;
import health.consent.model.wire.AccessReport;
import health.consent.service.web.Input;
import io.micronaut.json.tree.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A batch of access records, read into the model's wire records and checked with the model's rules. */
final class AccessRecordRequests {

    private AccessRecordRequests() {
    }

    /** {@code [{id, patientId, purpose, actor, dataCategory, outcome, at}]}, 1 to {@link AccessReport#MAX_BATCH}. */
    static List<AccessReport> batch(JsonNode body, Instant now) {
        Input input = new Input();
        if (body == null || !body.isArray()) {
            input.problem("body", "must be a JSON array of access records");
            input.check();
        }
        if (body.size() == 0 || body.size() > AccessReport.MAX_BATCH) {
            input.problem("body", "must hold 1 to " + AccessReport.MAX_BATCH + " records; it has " + body.size());
            input.check();
        }
        List<AccessReport> records = new ArrayList<>(body.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < body.size(); i++) {
            String path = Input.index("", i);
            JsonNode node = body.get(i);
            if (!node.isObject()) {
                input.problem(path, "must be an object");
                continue;
            }
            input.onlyFields(node, path, AccessReport.FIELDS);
            String id = input.identifier(node, path, "id", AccessReport::isValidId, AccessReport.ID_FORMAT);
            if (id != null && !ids.add(id.toLowerCase())) {
                input.problem(Input.join(path, "id"), "appears twice in this batch");
            }
            String patient = input.identifier(node, path, "patientId", PatientId::isValid, PatientId.PATTERN);
            Purpose purpose = input.oneOf(node, path, "purpose", Purpose::fromWire, Purpose.WIRE_NAMES);
            String actor = actor(input, node, path);
            String category = input.identifier(node, path, "dataCategory", AccessReport::isValidCategory,
                    AccessReport.CATEGORY.pattern());
            Outcome outcome = input.oneOf(node, path, "outcome", AccessRecordRequests::outcome, "PERMIT, DENY");
            Instant at = instant(input, node, path, now);
            records.add(new AccessReport(id == null ? null : id.toLowerCase(), patient, purpose, actor, category,
                    outcome, at));
        }
        input.check();
        return records;
    }

    private static String actor(Input input, JsonNode node, String path) {
        JsonNode value = node.get("actor");
        if (value != null && !value.isNull() && !value.isString()) {
            input.problem(Input.join(path, "actor"), "must be a string");
            return null;
        }
        String actor = value == null || value.isNull() ? null : value.getStringValue();
        String problem = AccessReport.actorProblem(actor);
        if (problem != null) {
            input.problem(Input.join(path, "actor"), problem);
            return null;
        }
        return actor;
    }

    private static Optional<Outcome> outcome(String name) {
        return "PERMIT".equals(name) ? Optional.of(Outcome.PERMIT)
                : "DENY".equals(name) ? Optional.of(Outcome.DENY) : Optional.empty();
    }

    private static Instant instant(Input input, JsonNode node, String path, Instant now) {
        JsonNode value = node.get("at");
        if (value == null || value.isNull()) {
            input.problem(Input.join(path, "at"), "is required");
            return null;
        }
        try {
            Instant at = value.isString() ? IsoInstant.parse(value.getStringValue()) : null;
            if (at == null) {
                input.problem(Input.join(path, "at"), "must be a UTC time such as 2026-11-22T08:30:00Z");
                return null;
            }
            String problem = AccessReport.timeProblem(at, now, null);
            if (problem != null) {
                input.problem(Input.join(path, "at"), problem);
            }
            return at;
        } catch (DateTimeParseException e) {
            input.problem(Input.join(path, "at"), "must be a UTC time such as 2026-11-22T08:30:00Z");
            return null;
        }
    }
}
