package health.consent.sdk;

import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The client over HTTP: a cache fed by the change feed, an access record sender, and fail-closed answers. */
final class HttpConsentClient implements ConsentClient {

    private static final System.Logger LOG = System.getLogger(HttpConsentClient.class.getName());
    private static final Decision UNAVAILABLE = Decision.deny(Reason.SERVICE_UNAVAILABLE);
    private static final Decision INVALID = Decision.deny(Reason.NOT_SET);
    /** After a failed request, checks answer from what is known for this long instead of waiting on the network. */
    private static final long RETRY_AFTER_NANOS = 1_000_000_000L;
    private static final int FILTER_CHUNK = 10_000;
    private static final long MAX_FEED_BACKOFF_MS = 5_000;

    private final ServiceApi api;
    private final DecisionCache cache;
    private final AccessRecorder recorder;
    private final boolean followChanges;
    private final long staleNanos;
    private final int waitSeconds;
    private final List<Consumer<ClientStatus>> listeners = new CopyOnWriteArrayList<>();
    private final Thread feedThread;
    private volatile ClientStatus status = ClientStatus.INITIALIZING;
    private volatile long lastFeedSuccess;
    private volatile long unreachableUntil = System.nanoTime();
    private volatile boolean running = true;

    HttpConsentClient(ConsentClientBuilder b) {
        this.api = new ServiceApi(b.baseUrl(), b.token, b.connectTimeout, b.requestTimeout);
        this.cache = new DecisionCache(b.cacheSize);
        this.recorder = new AccessRecorder(api, b.recordQueueCapacity, b.recordBatchSize, b.recordFlushInterval,
                b.closeTimeout);
        this.followChanges = b.followChanges;
        this.staleNanos = b.staleAfter.toNanos();
        // The feed answers at least this often even when nothing changes: well within the staleness bound.
        this.waitSeconds = (int) Math.min(25, b.staleAfter.toSeconds() / 2);
        if (followChanges) {
            feedThread = new Thread(this::followFeed, "consent-change-feed");
            feedThread.setDaemon(true);
            feedThread.start();
        } else {
            feedThread = null;
        }
    }

    @Override
    public Decision check(String patientId, Purpose purpose) {
        if (purpose == null || !PatientId.isValid(patientId)) {
            return INVALID;
        }
        try {
            DecisionCache.Entry cached = followChanges ? cache.get(patientId, purpose) : null;
            if (cached != null && (!cached.decision().permitted() || purpose.isPrimary() || trusted())) {
                return cached.decision();
            }
            Decision fetched = fetch(patientId, purpose);
            if (fetched != null) {
                return fetched;
            }
            // Care is never blocked by an outage: the last known CARE answer stands.
            return purpose.isPrimary() && cached != null ? cached.decision() : UNAVAILABLE;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Consent check failed; answering DENY", e);
            return UNAVAILABLE;
        }
    }

    @Override
    public <T> T withConsent(String patientId, Purpose purpose, AccessContext context, Supplier<T> work) {
        if (context == null || work == null) {
            throw new IllegalArgumentException("context and work are required");
        }
        Decision d = check(patientId, purpose);
        if (PatientId.isValid(patientId) && purpose != null) {
            queue(patientId, purpose, context, d.outcome());
        }
        if (!d.permitted()) {
            throw new ConsentDeniedException(patientId, purpose, d);
        }
        return work.get();
    }

    @Override
    public void recordAccess(String patientId, Purpose purpose, AccessContext context, Outcome outcome) {
        if (!PatientId.isValid(patientId) || purpose == null || context == null || outcome == null) {
            throw new IllegalArgumentException("a valid patient id, a purpose, a context and an outcome are required");
        }
        queue(patientId, purpose, context, outcome);
    }

    private void queue(String patientId, Purpose purpose, AccessContext context, Outcome outcome) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", UUID.randomUUID().toString());
        record.put("patientId", patientId);
        record.put("purpose", purpose.name());
        record.put("actor", context.actor());
        record.put("dataCategory", context.dataCategory());
        record.put("outcome", outcome.name());
        record.put("at", Instant.now().toString());
        if (!recorder.offer(record)) {
            throw new AccessNotRecordedException(running
                    ? "the queue of access records waiting for the consent service is full"
                    : "the consent client is closed");
        }
    }

    @Override
    public Set<String> filterPermitted(Purpose purpose, Collection<String> patientIds) {
        if (purpose == null || patientIds == null) {
            throw new IllegalArgumentException("purpose and patientIds are required");
        }
        List<String> valid = new ArrayList<>(new LinkedHashSet<>(patientIds.stream().filter(PatientId::isValid).toList()));
        Set<String> permitted = new LinkedHashSet<>();
        for (int from = 0; from < valid.size(); from += FILTER_CHUNK) {
            List<String> chunk = valid.subList(from, Math.min(valid.size(), from + FILTER_CHUNK));
            try {
                permitted.addAll(api.filter(purpose, chunk));
            } catch (ServiceApi.Unavailable | ServiceApi.Rejected e) {
                LOG.log(Level.WARNING, "Cohort filter failed for {0} ids; keeping only answers the cache vouches for: {1}",
                        chunk.size(), e.getMessage());
                boolean trust = purpose.isPrimary() || trusted();
                for (String id : chunk) {
                    DecisionCache.Entry e2 = followChanges && trust ? cache.get(id, purpose) : null;
                    if (e2 != null && e2.decision().permitted()) {
                        permitted.add(id);
                    }
                }
            }
        }
        return Collections.unmodifiableSet(permitted);
    }

    @Override
    public ClientStatus status() {
        return status;
    }

    @Override
    public void addStatusListener(Consumer<ClientStatus> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        if (feedThread != null) {
            feedThread.interrupt();
        }
        recorder.close();
        setStatus(ClientStatus.OFF);
    }

    /** Whether cached grants can be trusted: the feed answered within the staleness bound. */
    private boolean trusted() {
        return status == ClientStatus.VALID && System.nanoTime() - lastFeedSuccess < staleNanos;
    }

    private Decision fetch(String patientId, Purpose purpose) {
        if (!running || System.nanoTime() - unreachableUntil < 0) {
            return null;
        }
        long epoch = cache.epoch(purpose);
        try {
            ServiceApi.Fetched f = api.decision(patientId, purpose);
            if (followChanges) {
                cache.putFetched(patientId, purpose, f.decision(), f.version(), epoch);
            }
            return f.decision();
        } catch (ServiceApi.Unavailable | ServiceApi.Rejected e) {
            unreachableUntil = System.nanoTime() + RETRY_AFTER_NANOS;
            LOG.log(Level.DEBUG, "Decision request failed: {0}", e.getMessage());
            return null;
        }
    }

    private void followFeed() {
        Long position = null;
        long backoff = 100;
        while (running) {
            try {
                if (position == null) {
                    // Whatever was cached before may have changed unseen: start afresh from the current position.
                    ServiceApi.Changes start = api.changes(null, 0);
                    cache.invalidate(null);
                    position = start.next();
                } else {
                    ServiceApi.Changes changes = api.changes(position, waitSeconds);
                    for (ServiceApi.Change c : changes.changes()) {
                        apply(c);
                    }
                    position = changes.next();
                }
                lastFeedSuccess = System.nanoTime();
                setStatus(ClientStatus.VALID);
                backoff = 100;
                if (waitSeconds == 0) {
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                return;
            } catch (ServiceApi.Unavailable | ServiceApi.Rejected | RuntimeException e) {
                if (!running) {
                    return;
                }
                if (status == ClientStatus.VALID) {
                    LOG.log(Level.WARNING, "Consent change feed interrupted: {0}", e.getMessage());
                    setStatus(ClientStatus.INTERRUPTED);
                }
                try {
                    Thread.sleep(backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_FEED_BACKOFF_MS);
            }
        }
    }

    private void apply(ServiceApi.Change c) {
        if (c.patientId() == null) {
            cache.invalidate(c.purpose());
        } else if (c.purpose() != null) {
            cache.apply(c.patientId(), c.purpose(), c.decision(), c.version());
        }
    }

    private void setStatus(ClientStatus next) {
        if (status == next || (status == ClientStatus.OFF)) {
            return;
        }
        status = next;
        for (Consumer<ClientStatus> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "A consent status listener failed", e);
            }
        }
    }
}
