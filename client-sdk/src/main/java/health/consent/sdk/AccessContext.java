package health.consent.sdk;

import health.consent.model.wire.AccessReport;
import java.util.Objects;

/**
 * Who inside the application accessed the data, and which kind of data: shown to the patient in
 * their access log.
 *
 * @param actor        the person or process inside the application: 1 to 128 letters, digits, spaces and
 *                     {@code .,_-:@'()/#+} (patients read it; nothing may reorder or disguise it)
 * @param dataCategory the kind of data, such as {@code lab-results} (letters, digits, {@code . _ -}; up to 64)
 */
public record AccessContext(String actor, String dataCategory) {

    /** Checked with the service's own rules ({@link AccessReport}), so that a record is refused here, before any work. */
    public AccessContext {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(dataCategory, "dataCategory");
        String problem = AccessReport.actorProblem(actor);
        if (problem != null) {
            throw new IllegalArgumentException("actor " + problem);
        }
        if (!AccessReport.isValidCategory(dataCategory)) {
            throw new IllegalArgumentException("dataCategory must match " + AccessReport.CATEGORY.pattern());
        }
    }

    public static AccessContext of(String actor, String dataCategory) {
        return new AccessContext(actor, dataCategory);
    }
}
