package health.consent.sdk;

/** The service could not be told of an erasure (unreachable, or it refused): confirm it again later. */
public class PurgeNotConfirmedException extends RuntimeException {

    public PurgeNotConfirmedException(String message, Throwable cause) {
        super(message, cause);
    }
}
