package health.consent.sdk;

import health.consent.model.Decision;
import health.consent.model.Purpose;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Decisions kept in memory, one map per purpose so that a lookup allocates nothing. A decision
 * replaces a cached one only if its version is not older, so that a late answer never brings back
 * an old state. An epoch per purpose guards answers fetched while a whole purpose was invalidated.
 */
final class DecisionCache {

    record Entry(Decision decision, long version) {
    }

    private final Map<Purpose, ConcurrentHashMap<String, Entry>> maps = new EnumMap<>(Purpose.class);
    private final AtomicLongArray epochs = new AtomicLongArray(Purpose.values().length);
    private final int capacity;

    DecisionCache(int capacity) {
        this.capacity = capacity;
        for (Purpose p : Purpose.values()) {
            maps.put(p, new ConcurrentHashMap<>());
        }
    }

    Entry get(String patientId, Purpose purpose) {
        return maps.get(purpose).get(patientId);
    }

    long epoch(Purpose purpose) {
        return epochs.get(purpose.ordinal());
    }

    /** Keeps an answer fetched from the service, unless its purpose was invalidated since {@code epochBefore}. */
    void putFetched(String patientId, Purpose purpose, Decision decision, long version, long epochBefore) {
        maps.get(purpose).compute(patientId, (k, existing) -> {
            if (epochs.get(purpose.ordinal()) != epochBefore) {
                return existing;
            }
            return existing == null || version >= existing.version() ? new Entry(decision, version) : existing;
        });
        trim();
    }

    /** Applies a change from the feed; a null decision forgets the patient's answer so it is asked again. */
    void apply(String patientId, Purpose purpose, Decision decision, long version) {
        maps.get(purpose).compute(patientId, (k, existing) -> {
            if (existing != null && version < existing.version()) {
                return existing;
            }
            return decision == null ? null : new Entry(decision, version);
        });
        trim();
    }

    /** Forgets every answer for the purpose, or for every purpose when null. */
    void invalidate(Purpose purpose) {
        for (Purpose p : Purpose.values()) {
            if (purpose == null || purpose == p) {
                epochs.incrementAndGet(p.ordinal());
                maps.get(p).clear();
            }
        }
    }

    long size() {
        long n = 0;
        for (ConcurrentHashMap<String, Entry> m : maps.values()) {
            n += m.mappingCount();
        }
        return n;
    }

    /** Over capacity, drops about a tenth of the entries: any of them can be asked again. */
    private void trim() {
        long excess = size() - capacity;
        if (excess <= 0) {
            return;
        }
        long toDrop = Math.max(excess, capacity / 10);
        for (ConcurrentHashMap<String, Entry> m : maps.values()) {
            Iterator<String> it = m.keySet().iterator();
            while (toDrop > 0 && it.hasNext()) {
                it.next();
                it.remove();
                toDrop--;
            }
        }
    }
}
