package health.consent.sdk;

import health.consent.model.Purpose;

/**
 * An erasure the application owes: the patient's data extracted for {@code purpose} while it was
 * granted, now that it is withdrawn, refused or expired. Erase it, then {@link ConsentClient#confirmPurge}.
 *
 * @param id the obligation's id, to confirm
 */
public record PurgeRequest(String id, String patientId, Purpose purpose) {
}
