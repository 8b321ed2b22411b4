package health.consent.service.events;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.Purpose;

/**
 * An application's catalogue entry changed. {@code purpose} is set for a declaration or a new
 * notice, {@code status} for a change of status.
 */
public record CatalogueChanged(ApplicationId application, Change change, Purpose purpose, ApplicationStatus status)
        implements DomainEvent {

    public enum Change {
        REGISTERED,
        PURPOSE_DECLARED,
        NOTICE_PUBLISHED,
        STATUS_CHANGED
    }

    public static CatalogueChanged registered(ApplicationId application) {
        return new CatalogueChanged(application, Change.REGISTERED, null, null);
    }

    public static CatalogueChanged declared(ApplicationId application, Purpose purpose) {
        return new CatalogueChanged(application, Change.PURPOSE_DECLARED, purpose, null);
    }

    public static CatalogueChanged noticePublished(ApplicationId application, Purpose purpose) {
        return new CatalogueChanged(application, Change.NOTICE_PUBLISHED, purpose, null);
    }

    public static CatalogueChanged status(ApplicationId application, ApplicationStatus status) {
        return new CatalogueChanged(application, Change.STATUS_CHANGED, null, status);
    }
}
