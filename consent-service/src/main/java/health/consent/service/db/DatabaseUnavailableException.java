package health.consent.service.db;

/**
 * The database cannot be reached, or gave the transaction up for a conflict with another: the
 * request may succeed later.
 */
public final class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(Throwable cause) {
        super(Db.isTransientConflict(cause) ? "the database gave the transaction up for a conflict with another "
                + "(nothing of it was applied)" : "the database cannot be reached", cause);
    }

    /** Whether the database was reached but gave the transaction up for a conflict (a deadlock). */
    public boolean isConflict() {
        return Db.isTransientConflict(getCause());
    }
}
