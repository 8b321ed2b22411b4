package health.consent.service.web;

import health.consent.model.ApplicationId;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * What one caller may ask of the service, so that nobody can slow or exhaust it for everyone:
 * a patient's consent changes are rate-limited (a person changes a few consents a minute; a loop
 * is refused), and heavy requests (exports) run a few at a time. Beyond a limit the answer is a
 * 429 problem with {@code Retry-After}.
 */
@Context
public class Limits {

    private final RateLimiter patientChanges;
    private final RateLimiter concerns;
    /** Per application and instance, when configured (0: none): decision calls, access-record batches. */
    private final RateLimiter applicationDecisions;
    private final RateLimiter applicationBatches;
    /** The applications given a quota of their own, instead of the above (empty: none; an empty Optional: no quota). */
    private final Map<String, Optional<RateLimiter>> decisionOverrides;
    private final Map<String, Optional<RateLimiter>> batchOverrides;
    /** Whether any of the four above sets a quota: the quota filter, on every call, skips its work when none does. */
    private final boolean anyApplicationQuota;
    private final Semaphore exports;

    public Limits(@Value("${consent.limits.patient-changes.burst:200}") int changesBurst,
                  @Value("${consent.limits.patient-changes.per-second:2}") double changesPerSecond,
                  @Value("${consent.limits.concurrent-exports:2}") int concurrentExports,
                  @Value("${consent.limits.concerns.burst:10}") int concernsBurst,
                  @Value("${consent.limits.concerns.per-hour:2}") double concernsPerHour,
                  @Value("${consent.limits.application.decisions-per-second:0}") double decisionsPerSecond,
                  @Value("${consent.limits.application.record-batches-per-second:0}") double batchesPerSecond,
                  @Value("${consent.limits.application.decisions-overrides:}") String decisionsOverrides,
                  @Value("${consent.limits.application.record-batches-overrides:}") String batchesOverrides) {
        this.applicationDecisions = quota(decisionsPerSecond, "consent.limits.application.decisions-per-second");
        this.applicationBatches = quota(batchesPerSecond, "consent.limits.application.record-batches-per-second");
        this.decisionOverrides = overrides(decisionsOverrides, "consent.limits.application.decisions-overrides");
        this.batchOverrides = overrides(batchesOverrides, "consent.limits.application.record-batches-overrides");
        this.anyApplicationQuota = applicationDecisions != null || applicationBatches != null
                || decisionOverrides.values().stream().anyMatch(Optional::isPresent)
                || batchOverrides.values().stream().anyMatch(Optional::isPresent);
        this.patientChanges = new RateLimiter(changesBurst, changesPerSecond);
        this.concerns = new RateLimiter(concernsBurst, concernsPerHour / 3600);
        this.exports = new Semaphore(Math.max(1, concurrentExports));
    }

    /** Takes one of the patient's consent changes, or refuses with the time to wait. */
    public void consentChange(Object patient) {
        long wait = patientChanges.acquire(patient);
        if (wait > 0) {
            throw ApiException.tooManyRequests("too-many-changes",
                    "too many consent changes in a short time; try again in " + wait + " s", wait);
        }
    }

    private static RateLimiter quota(double perSecond, String setting) {
        if (perSecond < 0 || !Double.isFinite(perSecond)) {
            throw new ConfigurationException(setting + " must be 0 (no quota) or a positive rate");
        }
        // A burst of two seconds' worth: batches of work pass, a sustained flood does not.
        return perSecond == 0 ? null : new RateLimiter((int) Math.max(1, Math.ceil(perSecond * 2)), perSecond);
    }

    /**
     * The applications that get a quota of their own: {@code id=rate} pairs separated by commas
     * ({@code app-a=200,app-b=0}; 0 is no quota for that application), so that an operator can
     * hold one application to less than the others, or let a large one have more.
     */
    static Map<String, Optional<RateLimiter>> overrides(String setting, String name) {
        if (setting == null || setting.isBlank()) {
            return Map.of();
        }
        Map<String, Optional<RateLimiter>> overrides = new HashMap<>();
        for (String pair : setting.split(",", -1)) {
            int equals = pair.indexOf('=');
            String id = equals < 0 ? pair.trim() : pair.substring(0, equals).trim();
            if (equals < 0 || !ApplicationId.isValid(id)) {
                throw new ConfigurationException(name + ": '" + pair.trim() + "' is not application-id=rate "
                        + "(an application id matching " + ApplicationId.PATTERN + ", a rate of 0 or more a second)");
            }
            double rate;
            try {
                rate = Double.parseDouble(pair.substring(equals + 1).trim());
            } catch (NumberFormatException e) {
                rate = Double.NaN; // refused by quota() below, naming the setting and the application
            }
            if (overrides.put(id, Optional.ofNullable(quota(rate, name + " (" + id + ")"))) != null) {
                throw new ConfigurationException(name + ": the application " + id + " is named twice");
            }
        }
        return Map.copyOf(overrides);
    }

    /** Whether any per-application quota is set. */
    public boolean hasApplicationQuotas() {
        return anyApplicationQuota;
    }

    /** Takes one of the application's decision calls, or refuses with the time to wait. */
    public void applicationDecision(Object application) {
        applicationDecisions(application, 1);
    }

    /** Takes {@code count} of the application's decision calls at once (a cohort counts one per 10,000 ids). */
    public void applicationDecisions(Object application, int count) {
        take(quotaOf(decisionOverrides, applicationDecisions, application), application, count, "decision calls");
    }

    /** Takes one of the application's access-record batches, or refuses with the time to wait. */
    public void applicationRecords(Object application) {
        take(quotaOf(batchOverrides, applicationBatches, application), application, 1, "access-record batches");
    }

    private static RateLimiter quotaOf(Map<String, Optional<RateLimiter>> overrides, RateLimiter common,
                                       Object application) {
        Optional<RateLimiter> own = overrides.get(String.valueOf(application));
        return own == null ? common : own.orElse(null);
    }

    private static void take(RateLimiter quota, Object application, int count, String what) {
        if (quota == null || count < 1) {
            return;
        }
        long wait = quota.acquire(application, count);
        if (wait > 0) {
            throw ApiException.tooManyRequests("application-quota", "this application's quota of " + what
                    + " is used up; try again in " + wait + " s", wait);
        }
    }

    /** Takes one of the patient's concern reports, or refuses with the time to wait. */
    public void concern(Object patient) {
        long wait = concerns.acquire(patient);
        if (wait > 0) {
            throw ApiException.tooManyRequests("too-many-concerns",
                    "too many concerns reported in a short time; try again in " + wait + " s", wait);
        }
    }

    /**
     * Starts an export if fewer than the allowed number are running, else refuses at once; the
     * returned action ends it (once), when its stream is written or has failed.
     */
    public Runnable startExport() {
        if (!exports.tryAcquire()) {
            throw ApiException.tooManyRequests("too-many-exports",
                    "other exports are being prepared; try again in a few seconds", 5);
        }
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (ended.compareAndSet(false, true)) {
                exports.release();
            }
        };
    }
}
