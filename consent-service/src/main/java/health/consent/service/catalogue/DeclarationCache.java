package health.consent.service.catalogue;

import health.consent.model.ApplicationId;
import health.consent.model.PatientId;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.events.ChangeListener;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applications' declarations (status and notice versions, no texts) for the hot paths: consent
 * changes and decisions. The catalogue changes rarely; the change feed tells this cache of every
 * change at once on the instance that made it and within a feed tick elsewhere, and nothing is
 * trusted once the feed has been silent for a second.
 */
@Singleton
public class DeclarationCache implements ChangeListener {

    private static final long TRUST_NANOS = 1_000_000_000L;

    private final CatalogueRepository repository;
    private final ConcurrentHashMap<ApplicationId, Application> applications = new ConcurrentHashMap<>();
    private volatile long lastSync = Long.MIN_VALUE;

    public DeclarationCache(CatalogueRepository repository) {
        this.repository = repository;
    }

    public Optional<Application> find(ApplicationId applicationId) {
        if (System.nanoTime() - lastSync >= TRUST_NANOS) {
            return repository.findDeclarations(applicationId);
        }
        Application cached = applications.get(applicationId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<Application> found = repository.findDeclarations(applicationId);
        found.ifPresent(a -> applications.put(applicationId, a));
        return found;
    }

    @Override
    public void changed(ApplicationId application, PatientId patient) {
        if (patient == null) {
            applications.remove(application);
        }
    }

    @Override
    public void changedEverything() {
        applications.clear();
    }

    @Override
    public void synced() {
        lastSync = System.nanoTime();
    }

    /** Decisions are derived from declarations: forget them first. */
    @Override
    public int order() {
        return -1;
    }
}
