package health.consent.service.web;

import io.micronaut.json.tree.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reads a JSON request body field by field and collects every problem, each named by its JSON
 * path, so that one answer tells the caller all that is wrong. Nothing is written before
 * {@link #check()} passes.
 */
public final class Input {

    private final List<Problem.FieldProblem> problems = new ArrayList<>();

    /** The body as an object, or a problem if it is missing or not an object. */
    public Optional<JsonNode> object(JsonNode body) {
        if (body == null || !body.isObject()) {
            problem("body", "must be a JSON object");
            return Optional.empty();
        }
        return Optional.of(body);
    }

    /**
     * The body as an object whose fields are among {@code allowed}: answered at once if it is not
     * an object; unknown fields are problems to answer with the others.
     */
    public JsonNode body(JsonNode body, Set<String> allowed) {
        JsonNode request = object(body).orElse(null);
        check();
        onlyFields(request, "", allowed);
        return request;
    }

    /** Records a problem for every field of {@code node} not in {@code allowed}: a typo must not pass silently. */
    public void onlyFields(JsonNode node, String path, Set<String> allowed) {
        for (Map.Entry<String, JsonNode> e : node.entries()) {
            if (!allowed.contains(e.getKey())) {
                problem(join(path, safeName(e.getKey())), "is not a known field; known fields are " + String.join(", ", allowed));
            }
        }
    }

    /** A required string of 1 to {@code max} characters, without control characters. */
    public String text(JsonNode node, String path, String field, int max) {
        String where = join(path, field);
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problem(where, "is required");
            return null;
        }
        if (!value.isString()) {
            problem(where, "must be a string");
            return null;
        }
        String s = value.getStringValue();
        if (s.isBlank()) {
            problem(where, "must not be blank");
            return null;
        }
        if (s.length() > max) {
            problem(where, "must be at most " + max + " characters");
            return null;
        }
        if (s.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t')) {
            problem(where, "must not contain control characters");
            return null;
        }
        return s;
    }

    /** A required string that {@code valid} accepts; {@code format} says what is expected. */
    public String identifier(JsonNode node, String path, String field, Predicate<String> valid, String format) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problem(join(path, field), "is required");
            return null;
        }
        if (!value.isString() || !valid.test(value.getStringValue())) {
            problem(join(path, field), "must match " + format);
            return null;
        }
        return value.getStringValue();
    }

    /** A required value among a closed set, by its exact wire name. */
    public <E> E oneOf(JsonNode node, String path, String field, Function<String, Optional<E>> parse, String names) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problem(join(path, field), "is required; one of " + names);
            return null;
        }
        Optional<E> parsed = value.isString() ? parse.apply(value.getStringValue()) : Optional.empty();
        if (parsed.isEmpty()) {
            problem(join(path, field), "must be one of " + names);
            return null;
        }
        return parsed.get();
    }

    /** A whole number between {@code min} and {@code max}; null when absent and not required. */
    public Integer integer(JsonNode node, String path, String field, int min, int max, boolean required) {
        String where = join(path, field);
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                problem(where, "is required");
            }
            return null;
        }
        java.math.BigDecimal number = value.isNumber() ? wholeNumber(value) : null;
        if (number == null) {
            problem(where, "must be a whole number");
            return null;
        }
        if (number.compareTo(java.math.BigDecimal.valueOf(min)) < 0 || number.compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
            problem(where, "must be between " + min + " and " + max);
            return null;
        }
        return number.intValueExact();
    }

    /** A required array of at most {@code max} elements (at least one if {@code nonEmpty}). */
    public List<JsonNode> array(JsonNode node, String path, String field, int max, boolean nonEmpty) {
        String where = join(path, field);
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problem(where, "is required");
            return List.of();
        }
        if (!value.isArray()) {
            problem(where, "must be an array");
            return List.of();
        }
        if (value.size() > max) {
            problem(where, "must have at most " + max + " elements; it has " + value.size());
            return List.of();
        }
        if (nonEmpty && value.size() == 0) {
            problem(where, "must not be empty");
            return List.of();
        }
        List<JsonNode> elements = new ArrayList<>(value.size());
        value.values().forEach(elements::add);
        return elements;
    }

    /** A required nested object. */
    public Optional<JsonNode> object(JsonNode node, String path, String field) {
        String where = join(path, field);
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problem(where, "is required");
            return Optional.empty();
        }
        if (!value.isObject()) {
            problem(where, "must be an object");
            return Optional.empty();
        }
        return Optional.of(value);
    }

    public void problem(String field, String message) {
        problems.add(new Problem.FieldProblem(field, message));
    }

    public boolean hasProblems() {
        return !problems.isEmpty();
    }

    /** Throws a 400 listing every problem found, if any. */
    public void check() {
        if (!problems.isEmpty()) {
            throw ApiException.invalid(problems);
        }
    }

    public static String join(String path, String field) {
        return path == null || path.isEmpty() ? field : path + "." + field;
    }

    public static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    /** The value as an exact whole number, or null (fractions, infinities and NaN are not). */
    private static java.math.BigDecimal wholeNumber(JsonNode value) {
        Number n = value.getNumberValue();
        try {
            java.math.BigDecimal d = n instanceof Double || n instanceof Float
                    ? java.math.BigDecimal.valueOf(n.doubleValue()) : value.getBigDecimalValue();
            d.toBigIntegerExact();
            return d;
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    /** Field names come from the caller: cut and strip them before echoing them back. */
    private static String safeName(String name) {
        String cleaned = name.codePoints().filter(c -> !Character.isISOControl(c))
                .limit(64).collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return cleaned.length() < name.length() ? cleaned + "…" : cleaned;
    }
}
