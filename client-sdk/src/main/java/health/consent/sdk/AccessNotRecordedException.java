package health.consent.sdk;

/**
 * The access could not be queued for recording, so it must not happen: processing data without
 * a record would hide it from the patient.
 */
public class AccessNotRecordedException extends RuntimeException {

    public AccessNotRecordedException(String message) {
        super(message);
    }
}
