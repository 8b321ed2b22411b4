package health.consent.model.wire;

import health.consent.model.AsciiIdentifier;
import health.consent.model.Outcome;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One access as an application reports it in {@code POST /api/v1/access-records}: the SDK writes it,
 * the service reads it, and both check it with the same rules. {@code id} is a UUID chosen by the
 * application, so that a batch sent again stores nothing twice.
 */
public record AccessReport(String id, String patientId, Purpose purpose, String actor, String dataCategory,
                           Outcome outcome, Instant at) {

    /** The most records one request may carry. */
    public static final int MAX_BATCH = 1_000;
    public static final int MAX_ACTOR = 128;
    /** How far ahead of the service's clock a record's time may be: clocks drift, records do not come from the future. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    public static final Set<String> FIELDS = Set.of("id", "patientId", "purpose", "actor", "dataCategory", "outcome", "at");
    public static final String ID_FORMAT = "a UUID";
    public static final Pattern CATEGORY = Pattern.compile("^[A-Za-z0-9._-]{1,64}$");
    private static final AsciiIdentifier CATEGORY_FORM = new AsciiIdentifier(64, "._-");

    /** The form of {@link #ID_FORMAT}, for documentation: {@link #isValidId} checks it by hand. */
    public static final Pattern ID_PATTERN =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    /**
     * {@link #ID_PATTERN}, checked by hand rather than with the regular expression, as are the category
     * and {@link PatientId#isValid}: the service checks a thousand records a request.
     */
    public static boolean isValidId(String id) {
        if (id == null || id.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = id.charAt(i);
            boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
                    : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@link #CATEGORY}, checked by hand. */
    public static boolean isValidCategory(String category) {
        return CATEGORY_FORM.matches(category);
    }

    /** The punctuation an actor may hold besides letters, digits and spaces. */
    public static final String ACTOR_PUNCTUATION = ".,_-:@'()/#+";
    /** The actor's character set, for error messages and documentation. */
    public static final String ACTOR_FORMAT = "letters, digits, spaces and " + ACTOR_PUNCTUATION;

    /**
     * What is wrong with an actor (the person or process inside the application), or null when
     * nothing is. Patients read it in their access log, so it is held to a safe set: letters (any
     * script, with their accents), digits, single spaces and a little punctuation. No control,
     * formatting or bidirectional character (which could reorder what a patient reads), no line
     * break, no markup.
     */
    public static String actorProblem(String actor) {
        if (actor == null) {
            return "is required";
        }
        if (actor.isBlank()) {
            return "must not be blank";
        }
        if (actor.length() > MAX_ACTOR) {
            return "must be at most " + MAX_ACTOR + " characters";
        }
        for (int i = 0; i < actor.length(); ) {
            int c = actor.codePointAt(i);
            i += Character.charCount(c);
            if (!isActorCharacter(c)) {
                return "must hold only " + ACTOR_FORMAT + "; it holds U+" + String.format("%04X", c);
            }
        }
        return null;
    }

    private static boolean isActorCharacter(int c) {
        if (Character.isLetterOrDigit(c) || c == ' ' || ACTOR_PUNCTUATION.indexOf(c) >= 0) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
    }

    /**
     * What is wrong with a record's time, seen from a clock that reads {@code now}, or null when
     * nothing is: a record cannot come from the future (beyond {@link #MAX_CLOCK_SKEW}), nor from
     * before its application was registered ({@code notBefore}, when known, less the same skew).
     */
    public static String timeProblem(Instant at, Instant now, Instant notBefore) {
        if (at == null) {
            return "is required";
        }
        if (at.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            return "is in the future";
        }
        if (notBefore != null && at.isBefore(notBefore.minus(MAX_CLOCK_SKEW))) {
            return "is before the application was registered (" + notBefore + ")";
        }
        return null;
    }

    /**
     * Every problem of this record, by field name, as the service would answer them; empty when
     * valid. {@code notBefore} is when the application was registered, when known.
     */
    public Map<String, String> problems(Instant now, Instant notBefore) {
        Map<String, String> problems = new LinkedHashMap<>();
        if (!isValidId(id)) {
            problems.put("id", "must match " + ID_FORMAT);
        }
        if (!PatientId.isValid(patientId)) {
            problems.put("patientId", "must match " + PatientId.PATTERN);
        }
        if (purpose == null) {
            problems.put("purpose", "is required; one of " + Purpose.WIRE_NAMES);
        }
        String actorProblem = actorProblem(actor);
        if (actorProblem != null) {
            problems.put("actor", actorProblem);
        }
        if (!isValidCategory(dataCategory)) {
            problems.put("dataCategory", "must match " + CATEGORY.pattern());
        }
        if (outcome == null) {
            problems.put("outcome", "is required; one of PERMIT, DENY");
        }
        String timeProblem = timeProblem(at, now, notBefore);
        if (timeProblem != null) {
            problems.put("at", timeProblem);
        }
        return problems;
    }

    /** The record as a JSON object's fields, in the order of the API's documentation. */
    public Map<String, Object> toJsonFields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", id);
        fields.put("patientId", patientId);
        fields.put("purpose", purpose);
        fields.put("actor", actor);
        fields.put("dataCategory", dataCategory);
        fields.put("outcome", outcome);
        fields.put("at", at.toString());
        return fields;
    }

    /** A batch as the request body. */
    public static String toJson(List<AccessReport> batch) {
        return Json.write(batch.stream().map(AccessReport::toJsonFields).toList());
    }
}
