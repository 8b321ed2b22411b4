package health.consent.model;

/** An identifier that does not have the required format. The message says which format. */
public class InvalidIdentifierException extends IllegalArgumentException {

    public InvalidIdentifierException(String message) {
        super(message);
    }
}
