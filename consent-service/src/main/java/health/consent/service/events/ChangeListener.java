package health.consent.service.events;

import health.consent.model.ApplicationId;
import health.consent.model.PatientId;

/**
 * A cache that the change feed keeps exact: told about every change committed through this
 * instance as soon as it commits, and through any other instance within one feed tick.
 */
public interface ChangeListener {

    /** A patient's decisions for an application changed ({@code patient} null: the application's catalogue entry). */
    void changed(ApplicationId application, PatientId patient);

    /** Too much changed at once to tell: forget everything. */
    void changedEverything();

    /** Every change up to now has been told: what is cached can be trusted for a while. */
    void synced();

    /**
     * Listeners are told in ascending order: a cache that others derive their answers from (the
     * catalogue's declarations) forgets before them, so that none of them keeps an answer derived
     * from what it had not yet forgotten.
     */
    default int order() {
        return 0;
    }
}
