package health.consent.service.feed;

/**
 * A cache that the change feed keeps exact: told about every change committed through any
 * instance, within one feed tick of its commit.
 */
public interface ChangeListener {

    /** A patient's decisions for an application changed ({@code patientId} null: the application's catalogue entry). */
    void changed(String applicationId, String patientId);

    /** Too much changed at once to tell: forget everything. */
    void changedEverything();

    /** Every change up to now has been told: what is cached can be trusted for a while. */
    void synced();
}
