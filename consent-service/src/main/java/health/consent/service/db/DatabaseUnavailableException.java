package health.consent.service.db;

/** The database cannot be reached: the request may succeed later, and nothing was written. */
public final class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(Throwable cause) {
        super("the database cannot be reached", cause);
    }
}
