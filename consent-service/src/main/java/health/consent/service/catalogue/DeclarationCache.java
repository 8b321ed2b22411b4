package health.consent.service.catalogue;

import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.feed.ChangeListener;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applications' declarations (status and notice versions, no texts) for the consent-change hot
 * path. The catalogue changes rarely; every change is forgotten here at once on the instance that
 * made it and within a feed tick elsewhere. Anything a stale entry could let through is still
 * caught: decisions always compare with the notice version in the database.
 */
@Singleton
public class DeclarationCache implements ChangeListener {

    private static final long TRUST_NANOS = 1_000_000_000L;

    private final CatalogueRepository repository;
    private final ConcurrentHashMap<String, Application> applications = new ConcurrentHashMap<>();
    private volatile long lastSync = Long.MIN_VALUE;

    public DeclarationCache(CatalogueRepository repository) {
        this.repository = repository;
    }

    public Optional<Application> find(String applicationId) {
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

    public void forget(String applicationId) {
        applications.remove(applicationId);
    }

    @Override
    public void changed(String applicationId, String patientId) {
        if (patientId == null) {
            forget(applicationId);
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
}
