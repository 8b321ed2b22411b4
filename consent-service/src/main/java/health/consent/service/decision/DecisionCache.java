package health.consent.service.decision;

import health.consent.model.Purpose;
import health.consent.model.ApplicationId;
import health.consent.model.PatientId;
import health.consent.model.wire.DecisionAnswer;
import health.consent.service.events.ChangeListener;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The decisions this instance answered recently, so that the decision endpoint need not ask the
 * database each time. It stays exact the way the SDK's cache does, told by the change feed: a change
 * made through this instance forgets the patient's answers as soon as it commits; a change made through another
 * instance sharing the database is forgotten when this instance's change feed sees it (within
 * one feed tick, 100 ms). An answer read from the database while a change was being forgotten
 * is not kept. When the feed cannot read the database, nothing cached is trusted.
 */
@Singleton
public class DecisionCache implements ChangeListener {

    /** The answers for one application, with the epoch that guards them. */
    private static final class ApplicationEntries {
        final ConcurrentHashMap<PatientId, DecisionAnswer[]> byPatient = new ConcurrentHashMap<>();
        final AtomicLong epoch = new AtomicLong();
    }

    private final ConcurrentHashMap<ApplicationId, ApplicationEntries> applications = new ConcurrentHashMap<>();
    private final int capacity;
    private final long trustNanos;
    private final AtomicLong size = new AtomicLong();
    private volatile long lastSync = Long.MIN_VALUE;

    public DecisionCache(@Value("${consent.decisions.cache-size:200000}") int capacity,
                         @Value("${consent.decisions.cache-trust:1s}") java.time.Duration trust) {
        this.capacity = capacity;
        this.trustNanos = trust.toNanos();
    }

    @Override
    public void changed(ApplicationId application, PatientId patient) {
        if (patient == null) {
            forget(application);
        } else {
            forget(application, patient);
        }
    }

    @Override
    public void changedEverything() {
        clear();
    }

    /** The feed read every change up to now: cached answers can be trusted for a while. */
    @Override
    public void synced() {
        lastSync = System.nanoTime();
    }

    private boolean trusted() {
        return capacity > 0 && System.nanoTime() - lastSync < trustNanos;
    }

    public DecisionAnswer get(ApplicationId applicationId, PatientId patientId, Purpose purpose) {
        if (!trusted()) {
            return null;
        }
        ApplicationEntries app = applications.get(applicationId);
        DecisionAnswer[] views = app == null ? null : app.byPatient.get(patientId);
        return views == null ? null : views[purpose.ordinal()];
    }

    /** The epoch to hand back to {@link #put}: read it before asking the database. */
    public long epoch(ApplicationId applicationId) {
        return entries(applicationId).epoch.get();
    }

    public void put(ApplicationId applicationId, PatientId patientId, Purpose purpose, DecisionAnswer view, long epochBefore) {
        if (capacity <= 0) {
            return;
        }
        ApplicationEntries app = entries(applicationId);
        app.byPatient.compute(patientId, (k, views) -> {
            if (app.epoch.get() != epochBefore) {
                return views;
            }
            DecisionAnswer[] next = views == null ? new DecisionAnswer[Purpose.values().length] : views.clone();
            if (views == null) {
                size.incrementAndGet();
            }
            next[purpose.ordinal()] = view;
            return next;
        });
        if (size.get() > capacity) {
            trim();
        }
    }

    /** Forgets a patient's answers for an application (all purposes: CARE changes the others' reasons). */
    private void forget(ApplicationId applicationId, PatientId patientId) {
        ApplicationEntries app = applications.get(applicationId);
        if (app != null) {
            app.epoch.incrementAndGet();
            if (app.byPatient.remove(patientId) != null) {
                size.decrementAndGet();
            }
        }
    }

    /** Forgets every answer of an application: its catalogue entry changed. */
    private void forget(ApplicationId applicationId) {
        ApplicationEntries app = applications.get(applicationId);
        if (app != null) {
            app.epoch.incrementAndGet();
            size.addAndGet(-app.byPatient.size());
            app.byPatient.clear();
        }
    }

    private void clear() {
        applications.keySet().forEach(this::forget);
    }

    private ApplicationEntries entries(ApplicationId applicationId) {
        return applications.computeIfAbsent(applicationId, k -> new ApplicationEntries());
    }

    private void trim() {
        long toDrop = Math.max(size.get() - capacity, capacity / 10);
        for (ApplicationEntries app : applications.values()) {
            Iterator<PatientId> it = app.byPatient.keySet().iterator();
            while (toDrop > 0 && it.hasNext()) {
                it.next();
                it.remove();
                size.decrementAndGet();
                toDrop--;
            }
        }
    }
}
