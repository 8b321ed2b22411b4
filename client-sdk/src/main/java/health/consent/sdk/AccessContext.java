package health.consent.sdk;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who inside the application accessed the data, and which kind of data: shown to the patient in
 * their access log.
 *
 * @param actor        the person or process inside the application (1 to 128 characters)
 * @param dataCategory the kind of data, such as {@code lab-results} (letters, digits, {@code . _ -}; up to 64)
 */
public record AccessContext(String actor, String dataCategory) {

    private static final Pattern CATEGORY = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public AccessContext {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(dataCategory, "dataCategory");
        if (actor.isBlank() || actor.length() > 128 || actor.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("actor must be 1 to 128 characters without control characters");
        }
        if (!CATEGORY.matcher(dataCategory).matches()) {
            throw new IllegalArgumentException("dataCategory must match " + CATEGORY.pattern());
        }
    }

    public static AccessContext of(String actor, String dataCategory) {
        return new AccessContext(actor, dataCategory);
    }
}
