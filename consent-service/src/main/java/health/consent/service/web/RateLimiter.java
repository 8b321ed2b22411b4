package health.consent.service.web;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Token buckets, one per key (a patient, an application): each holds up to {@code burst} tokens
 * and gains {@code perSecond} a second; a request takes one, or is refused with the seconds to
 * wait. Buckets that are full again are forgotten, so memory follows the keys active now.
 */
public final class RateLimiter {

    private static final int SWEEP_EVERY = 10_000;

    private final double burst;
    private final double perNano;
    private final ConcurrentHashMap<Object, double[]> buckets = new ConcurrentHashMap<>();
    /** Counts calls to time the sweeps (a lost increment only moves one). */
    private int calls;
    private final AtomicBoolean sweeping = new AtomicBoolean();

    public RateLimiter(int burst, double perSecond) {
        if (burst < 1 || perSecond <= 0) {
            throw new IllegalArgumentException("a rate limit needs a burst of at least 1 and a positive rate");
        }
        this.burst = burst;
        this.perNano = perSecond / 1e9;
    }

    /** Takes a token for {@code key}: 0 when granted, else how many whole seconds to wait before one is there. */
    public long acquire(Object key) {
        return acquire(key, 1);
    }

    /**
     * Takes {@code count} tokens for {@code key} (at most a burst's worth), all or none: 0 when
     * granted, else how many whole seconds to wait before they are there.
     */
    public long acquire(Object key, int count) {
        double needed = Math.min(burst, Math.max(1, count));
        long now = System.nanoTime();
        long[] wait = new long[1];
        // [tokens, at]: refilled for the time gone by, then one taken if there is one.
        buckets.compute(key, (k, bucket) -> {
            double tokens = bucket == null ? burst : Math.min(burst, bucket[0] + (now - (long) bucket[1]) * perNano);
            if (tokens >= needed) {
                return new double[] {tokens - needed, now};
            }
            wait[0] = (long) Math.ceil((needed - tokens) / perNano / 1e9);
            return new double[] {tokens, now};
        });
        if (++calls % SWEEP_EVERY == 0 && sweeping.compareAndSet(false, true)) {
            // Off the caller's thread (often an event loop): the walk is as long as the keys active.
            ForkJoinPool.commonPool().execute(() -> {
                try {
                    sweep(now);
                } finally {
                    sweeping.set(false);
                }
            });
        }
        return wait[0];
    }

    private void sweep(long now) {
        buckets.entrySet().removeIf(e -> e.getValue()[0] + (now - (long) e.getValue()[1]) * perNano >= burst);
    }
}
