package health.consent.model;

import java.time.Instant;

/**
 * One access to a patient's data, as the service keeps it and logs it as a leaf of the audit log.
 * For an application's access, {@code purpose} is set and {@code reason} null; for a regulator's read,
 * {@code applicationId} and {@code actor} name the regulator, {@code purpose} is null and
 * {@code reason} says why they looked.
 *
 * @param leafIndex the record's index in the audit log, or null until the appender reaches it
 * @param salt      32 random bytes in hex, part of the record's leaf (see {@link ConsentEvent#salt})
 */
public record AccessRecord(String id, AccessorType accessorType, String applicationId, String patientId,
                           Purpose purpose, String actor, String dataCategory, Outcome outcome, String reason,
                           Instant at, Instant receivedAt, Long leafIndex, String salt) {
}
