package health.consent.sdk;

import health.consent.model.wire.AccessReport;

/**
 * An access record the consent service refused as invalid (its {@code problem}, such as "at: is in
 * the future"): the access happened but is not in the patient's log. The client tells the
 * application through {@link ConsentClient#addRejectionListener} and its log; the other records
 * of the batch are delivered.
 */
public record RejectedAccess(AccessReport record, String problem) {
}
