package health.consent.sdk;

import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.model.wire.AccessReport;
import health.consent.model.wire.DecisionAnswer;
import health.consent.model.wire.DecisionReceipt;
import java.security.PublicKey;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The client's check policy, over any {@link ServiceConnection}: answers from the
 * {@link DecisionCache} that the {@link FeedFollower} keeps fresh, asks the connection on a miss,
 * fails closed when neither can be trusted (CARE falling back to the last known answer), and
 * hands every access to the {@link AccessRecorder}.
 */
final class DefaultConsentClient implements ConsentClient {

    private static final System.Logger LOG = System.getLogger(DefaultConsentClient.class.getName());
    private static final Decision UNAVAILABLE = Decision.deny(Reason.SERVICE_UNAVAILABLE);
    private static final Decision INVALID = Decision.deny(Reason.NOT_SET);
    /** The service's receipt key, fetched at the first receipt. */
    private final AtomicReference<PublicKey> receiptKey = new AtomicReference<>();
    /** After a failed request, checks answer from what is known for this long instead of waiting on the network. */
    private static final long RETRY_AFTER_NANOS = 1_000_000_000L;
    /** Cohort requests sent at once by one {@link #filterPermitted}. */
    private static final int COHORT_REQUESTS_IN_FLIGHT = 2;

    private final ServiceConnection connection;
    private final DecisionCache cache;
    private final FeedFollower feed;
    private final AccessRecorder recorder;
    private final boolean followChanges;
    private final long staleNanos;
    private volatile long unreachableUntil = System.nanoTime();
    private volatile boolean running = true;

    /**
     * Starts following the feed when {@code followChanges}; {@code recorder} already runs.
     *
     * @param staleAfter how long the feed may be silent or failing before cached secondary grants are not trusted
     */
    DefaultConsentClient(ServiceConnection connection, DecisionCache cache, FeedFollower feed, AccessRecorder recorder,
                         boolean followChanges, Duration staleAfter) {
        this.connection = connection;
        this.cache = cache;
        this.feed = feed;
        this.recorder = recorder;
        this.followChanges = followChanges;
        this.staleNanos = staleAfter.toNanos();
        if (followChanges) {
            feed.start();
        }
    }

    /**
     * A client with the builder's settings, over {@code connection}. {@code inMemory}: the
     * connection is {@link health.consent.sdk.testing.TestData}; access records are sent as they
     * are made, and the client starts once the feed has been asked.
     */
    static DefaultConsentClient of(ConsentClientBuilder b, ServiceConnection connection, boolean inMemory) {
        DecisionCache cache = new DecisionCache(b.cacheSize);
        // The feed answers at least this often even when nothing changes: well within the staleness bound.
        int waitSeconds = (int) Math.min(25, b.staleAfter.toSeconds() / 2);
        FeedFollower feed = new FeedFollower(connection, cache, waitSeconds);
        AccessRecorder recorder = new AccessRecorder(connection, b.recordQueueCapacity, b.recordBatchSize,
                b.recordFlushInterval, b.closeTimeout, inMemory);
        DefaultConsentClient client = new DefaultConsentClient(connection, cache, feed, recorder, b.followChanges,
                b.staleAfter);
        if (inMemory && b.followChanges) {
            // In memory, the feed's first answer is immediate: wait for it, so that a change made
            // right after build() reaches the cache.
            feed.awaitFirstAttempt(b.requestTimeout);
        }
        return client;
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
    public SignedDecision checkWithReceipt(String patientId, Purpose purpose) {
        if (purpose == null || !PatientId.isValid(patientId)) {
            return new SignedDecision(INVALID, null, null);
        }
        try {
            PublicKey key = receiptKey.get();
            if (key == null) {
                key = DecisionReceipt.fromJwk(connection.receiptKey());
                receiptKey.set(key);
            }
            String jws = connection.decisionReceipt(patientId, purpose);
            DecisionReceipt claims = DecisionReceipt.verify(jws, key);
            if (!claims.patient().equals(patientId) || claims.purpose() != purpose) {
                throw new IllegalArgumentException("the receipt is about " + claims.patient() + "/" + claims.purpose());
            }
            return new SignedDecision(Decision.of(claims.reason()), jws, claims);
        } catch (ServiceConnection.Unavailable | ServiceConnection.Rejected | RuntimeException e) {
            LOG.log(Level.WARNING, "No verified receipt; answering DENY: {0}", e.getMessage());
            return new SignedDecision(UNAVAILABLE, null, null);
        }
    }

    @Override
    public void addPurgeListener(Consumer<PurgeRequest> listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is required");
        }
        feed.addPurgeListener(listener);
    }

    @Override
    public void confirmPurge(String purgeId) {
        if (purgeId == null || purgeId.isBlank()) {
            throw new IllegalArgumentException("a purge obligation's id is required");
        }
        try {
            connection.confirmPurge(purgeId);
        } catch (ServiceConnection.Unavailable | ServiceConnection.Rejected e) {
            throw new PurgeNotConfirmedException("the erasure " + purgeId + " was not confirmed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<PurgeRequest> pendingPurges() {
        try {
            return connection.pendingPurges();
        } catch (ServiceConnection.Unavailable | ServiceConnection.Rejected e) {
            throw new PurgeNotConfirmedException("the erasures owed could not be read: " + e.getMessage(), e);
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
        AccessReport record = new AccessReport(UUID.randomUUID().toString(), patientId, purpose, context.actor(),
                context.dataCategory(), outcome, Instant.now().plus(connection.clockOffset()));
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
        // Sorted, each request asks about neighbouring ids, which the service reads in one range.
        Cohort cohort = new Cohort(patientIds);
        List<Cohort.Part> parts = cohort.parts(ServiceConnection.COHORT_BYTES);
        if (parts.size() == 1) {
            cohort.permit(parts.get(0), filterChunk(purpose, parts.get(0).ids()));
        } else if (parts.size() > 1) {
            // Two requests at a time: while the service reads one, the other travels or is parsed.
            ExecutorService requests = Executors.newFixedThreadPool(COHORT_REQUESTS_IN_FLIGHT, r -> {
                Thread t = new Thread(r, "consent-cohort");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<List<String>>> answers = new ArrayList<>();
                for (Cohort.Part part : parts) {
                    answers.add(requests.submit(() -> filterChunk(purpose, part.ids())));
                }
                for (int i = 0; i < parts.size(); i++) {
                    cohort.permit(parts.get(i), answers.get(i).get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while filtering a cohort", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("cohort filter failed", e.getCause());
            } finally {
                requests.shutdownNow();
            }
        }
        return cohort.permitted();
    }

    /** The permitting ids of one request's chunk; when the service cannot answer, those the cache vouches for. */
    private List<String> filterChunk(Purpose purpose, List<String> chunk) {
        try {
            return connection.filter(purpose, chunk);
        } catch (ServiceConnection.Unavailable | ServiceConnection.Rejected e) {
            LOG.log(Level.WARNING, "Cohort filter failed for {0} ids; keeping only answers the cache vouches for: {1}",
                    chunk.size(), e.getMessage());
            boolean trust = purpose.isPrimary() || trusted();
            List<String> vouched = new ArrayList<>();
            for (String id : chunk) {
                DecisionCache.Entry cached = followChanges && trust ? cache.get(id, purpose) : null;
                if (cached != null && cached.decision().permitted()) {
                    vouched.add(id);
                }
            }
            return vouched;
        }
    }

    @Override
    public ClientStatus status() {
        return feed.status();
    }

    @Override
    public void addRejectionListener(Consumer<RejectedAccess> listener) {
        recorder.addRejectionListener(listener);
    }

    @Override
    public void addStatusListener(Consumer<ClientStatus> listener) {
        feed.addStatusListener(listener);
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        feed.stop();
        recorder.close();
        feed.off();
    }

    /** Whether cached grants can be trusted: the feed answered within the staleness bound. */
    private boolean trusted() {
        return feed.freshWithin(staleNanos);
    }

    private Decision fetch(String patientId, Purpose purpose) {
        if (!running || System.nanoTime() - unreachableUntil < 0) {
            return null;
        }
        long epoch = cache.epoch(purpose);
        try {
            DecisionAnswer answer = connection.decision(patientId, purpose);
            Decision decision = answer.toDecision();
            if (followChanges) {
                cache.putFetched(patientId, purpose, decision, answer.version(), epoch);
            }
            return decision;
        } catch (ServiceConnection.Unavailable | ServiceConnection.Rejected e) {
            // A quota's or an overload's Retry-After is honoured: no request before it.
            long asked = e instanceof ServiceConnection.Unavailable u ? u.retryAfter().toNanos() : 0;
            unreachableUntil = System.nanoTime() + Math.max(RETRY_AFTER_NANOS, asked);
            LOG.log(Level.DEBUG, "Decision request failed: {0}", e.getMessage());
            return null;
        }
    }
}
