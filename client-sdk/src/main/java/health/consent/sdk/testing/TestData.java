package health.consent.sdk.testing;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.ApplicationTerms;
import health.consent.model.ChangeOutcome;
import health.consent.model.Channel;
import health.consent.model.ConsentChange;
import health.consent.model.ConsentState;
import health.consent.model.DecidedBy;
import health.consent.model.Decision;
import health.consent.model.PatientConsents;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.PurposeConsent;
import health.consent.model.Reason;
import health.consent.model.wire.AccessReport;
import health.consent.model.wire.DecisionAnswer;
import health.consent.model.wire.DecisionReceipt;
import health.consent.model.wire.FeedChange;
import health.consent.model.wire.FeedPage;
import health.consent.sdk.ConsentClient;
import health.consent.sdk.PurgeRequest;
import health.consent.sdk.ServiceConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The consent service in memory, for an application's own tests: plug it into the real client,
 * which then needs no server, and set each patient's consents. The client is the one used in
 * production (its cache, its change feed, its fail-closed answers), so the code under test meets
 * the same answers it will meet for real.
 *
 * <pre>{@code
 * TestData consents = new TestData()
 *         .grant("patient-42", Purpose.CARE)
 *         .grant("patient-42", Purpose.STATISTICS);
 * try (ConsentClient client = ConsentClient.builder().dataSource(consents).build()) {
 *     new MyReport(client).run();
 *     assertThat(consents.accesses()).hasSize(1);
 *     consents.deny("patient-42", Purpose.STATISTICS, Reason.WITHDRAWN);   // reaches the client's cache
 *     consents.unavailable(true);                                          // an outage: the client fails closed
 * }
 * }</pre>
 *
 * <p><b>Decisions.</b> Each patient's consents to the application under test are the model's
 * {@link PatientConsents}, which decides every answer with the service's rules: everything not
 * granted is DENY, a secondary purpose permits only while CARE is granted, withdrawing CARE
 * withdraws the secondary grants. The application declares every purpose, on notice version 1.
 * A change the service would accept is applied by those rules; one it would refuse (granting a
 * secondary purpose before CARE, withdrawing what was never granted) is stored as asked, so that
 * a test can set up any state in any order: a secondary grant without CARE answers
 * {@code CARE_NOT_GRANTED}, as a grant left over would in the service.
 *
 * <p><b>Reasons that are not states.</b> {@link #deny} with a reason that no patient decision
 * produces ({@code RECONSENT_REQUIRED}, {@code CARE_NOT_GRANTED}, {@code PURPOSE_NOT_DECLARED},
 * {@code APPLICATION_SUSPENDED}, {@code UNKNOWN_APPLICATION}, {@code SERVICE_UNAVAILABLE}) stores
 * an override for that patient and purpose, which the aggregate cannot express: it is answered as
 * given, whatever the patient's consents, until the next {@link #grant} or {@link #deny} of that
 * purpose.
 *
 * <p><b>The change feed.</b> Every change of an answer is numbered and served by
 * {@link #changes}, as the service's feed serves it, and a change returns only once every client
 * following the feed has taken it into its cache (waiting at most 5 seconds): a test can check
 * right after changing. {@link #unavailable(boolean) unavailable(true)} simulates an outage:
 * every request fails, the clients' feeds are interrupted, and they fail closed as in production.
 *
 * <p><b>Accesses.</b> {@link #accesses()} returns the access records the clients delivered, each
 * id once. A client built on test data delivers each record before {@code withConsent} or
 * {@code recordAccess} returns; during an outage, records wait in the client's queue and are
 * delivered after it, by the client's retries or at the latest by {@link ConsentClient#close()}.
 *
 * <p>Thread-safe; one instance may serve several clients.
 */
public final class TestData implements ServiceConnection {

    /** The application under test: active, declaring every purpose on notice version 1. */
    private static final ApplicationId APPLICATION = ApplicationId.of("application-under-test");
    private static final ApplicationTerms TERMS = new ApplicationTerms(APPLICATION, ApplicationStatus.ACTIVE,
            notices());
    private static final long DELIVERY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The position of a client that connected and has not yet asked from a position of its own. */
    private static final long CONNECTING = -1;

    private final ReentrantLock lock = new ReentrantLock();
    private final java.security.KeyPair receiptKeys = receiptKeys();
    private final Condition changed = lock.newCondition();
    // Everything below is guarded by lock.
    private final Map<String, Patient> patients = new HashMap<>();
    private final List<FeedChange> feed = new ArrayList<>();
    private final Map<Thread, Long> followers = new HashMap<>();
    private final List<AccessReport> accesses = new ArrayList<>();
    /** Erasures owed (withdrawn secondary grants), by id, and those confirmed. */
    private final Map<String, PurgeRequest> purges = new java.util.LinkedHashMap<>();
    private final Set<String> purgesConfirmed = new HashSet<>();
    private final Set<String> accessIds = new HashSet<>();
    private boolean unavailable;
    /** The number of the last change of any patient: answers for one patient are ordered by it. */
    private long version;

    /** One patient's consents, the answers they cannot express, and the number of their last change. */
    private static final class Patient {
        PatientConsents consents;
        final Map<Purpose, Reason> overrides = new EnumMap<>(Purpose.class);
        long version;

        Patient(PatientId id) {
            consents = PatientConsents.of(id, APPLICATION, TERMS, List.of());
        }

        Decision decide(Purpose purpose) {
            Reason override = overrides.get(purpose);
            return override != null ? Decision.deny(override) : consents.decide(purpose);
        }
    }

    /** The patient grants the purpose. */
    public TestData grant(String patientId, Purpose purpose) {
        return change(patientId, purpose, ConsentState.GRANTED, null);
    }

    /**
     * The purpose is denied with this reason: REFUSED, WITHDRAWN and NOT_SET set the patient's
     * state; any other reason but GRANTED is an override (see the class's documentation).
     */
    public TestData deny(String patientId, Purpose purpose, Reason reason) {
        switch (Objects.requireNonNull(reason, "reason")) {
            case GRANTED:
                throw new IllegalArgumentException("use grant() to permit");
            case REFUSED:
                return change(patientId, purpose, ConsentState.REFUSED, null);
            case WITHDRAWN:
                return change(patientId, purpose, ConsentState.WITHDRAWN, null);
            case NOT_SET:
                return change(patientId, purpose, ConsentState.NOT_SET, null);
            default:
                return change(patientId, purpose, null, reason);
        }
    }

    /**
     * Simulates an outage of the service ({@code true}) or its end: while unavailable, every
     * request of the clients fails, as when the service cannot be reached.
     */
    public TestData unavailable(boolean down) {
        lock.lock();
        try {
            unavailable = down;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Forgets every patient's consents and every access; the clients following the feed forget their answers. */
    public TestData reset() {
        lock.lock();
        try {
            patients.clear();
            accesses.clear();
            accessIds.clear();
            awaitFollowers(append(null, null, null, 0));
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Every access record the clients delivered, oldest first. */
    public List<AccessReport> accesses() {
        lock.lock();
        try {
            return List.copyOf(accesses);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public DecisionAnswer decision(String patientId, Purpose purpose) throws Unavailable, Rejected {
        lock.lock();
        try {
            requireAvailable();
            Patient p = patients.get(patientId);
            return p == null ? DecisionAnswer.of(new Patient(valid(patientId)).decide(purpose), 0)
                    : DecisionAnswer.of(p.decide(purpose), p.version);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Signs the decision's receipt with this test service's own key ({@link #receiptKey}), as the
     * real service does with its receipt key.
     */
    @Override
    public String decisionReceipt(String patientId, Purpose purpose) throws Unavailable, Rejected {
        DecisionAnswer answer = decision(patientId, purpose);
        return new DecisionReceipt(APPLICATION.value(), patientId, purpose, answer.decision(), answer.reason(),
                answer.version(), java.time.Instant.now().getEpochSecond())
                .sign(receiptKeys.getPrivate(), DecisionReceipt.keyId(receiptKeys.getPublic()));
    }

    @Override
    public String receiptKey() throws Unavailable {
        lock.lock();
        try {
            requireAvailable();
        } finally {
            lock.unlock();
        }
        return DecisionReceipt.jwk(receiptKeys.getPublic());
    }

    @Override
    public void confirmPurge(String purgeId) throws Unavailable, Rejected {
        lock.lock();
        try {
            requireAvailable();
            if (!purges.containsKey(purgeId)) {
                throw new Rejected("no purge obligation '" + purgeId + "' for this application");
            }
            purgesConfirmed.add(purgeId);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<PurgeRequest> pendingPurges() throws Unavailable {
        lock.lock();
        try {
            requireAvailable();
            return purges.values().stream().filter(p -> !purgesConfirmed.contains(p.id())).toList();
        } finally {
            lock.unlock();
        }
    }

    /** The erasures the application under test confirmed, by obligation id. */
    public Set<String> purgesConfirmed() {
        lock.lock();
        try {
            return Set.copyOf(purgesConfirmed);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FeedPage changes(Long after, int waitSeconds) throws Unavailable {
        Thread follower = Thread.currentThread();
        lock.lock();
        try {
            requireAvailable();
            if (after == null) {
                followers.put(follower, CONNECTING);
                changed.signalAll();
                return FeedPage.empty(feed.size());
            }
            followers.put(follower, after);
            changed.signalAll();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
            long left = deadline - System.nanoTime();
            while (feed.size() <= after && !unavailable && left > 0) {
                left = changed.awaitNanos(left);
            }
            // An outage that begins during the long poll breaks it, as a connection to the service would break.
            requireAvailable();
            return new FeedPage(feed.subList((int) Math.min(Math.max(after, 0), feed.size()), feed.size()),
                    feed.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            followers.remove(follower);
            throw new Unavailable("interrupted", e);
        } catch (Unavailable e) {
            followers.remove(follower);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> filter(Purpose purpose, List<String> patientIds) throws Unavailable, Rejected {
        lock.lock();
        try {
            requireAvailable();
            List<String> permitted = new ArrayList<>();
            for (String id : patientIds) {
                Patient p = patients.get(id);
                if ((p == null ? new Patient(valid(id)) : p).decide(purpose).permitted()) {
                    permitted.add(id);
                }
            }
            return permitted;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void record(List<AccessReport> batch) throws Unavailable, Rejected {
        lock.lock();
        try {
            requireAvailable();
            // As the service does: the whole batch refused, each problem named by its record's index.
            Instant now = Instant.now();
            Map<String, String> problems = new java.util.LinkedHashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                int index = i;
                batch.get(i).problems(now, null).forEach((field, message) -> problems.put("[" + index + "]." + field,
                        message));
            }
            if (!problems.isEmpty()) {
                throw new Rejected("invalid access records: " + problems, problems);
            }
            for (AccessReport r : batch) {
                if (accessIds.add(r.id())) {
                    accesses.add(r);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sets one purpose of one patient (a state, or else an override), then tells the clients what changed. */
    private TestData change(String patientId, Purpose purpose, ConsentState state, Reason override) {
        PatientId id = PatientId.of(patientId);
        if (purpose == null) {
            throw new IllegalArgumentException("a purpose is required");
        }
        lock.lock();
        try {
            Patient p = patients.computeIfAbsent(patientId, k -> new Patient(id));
            Map<Purpose, Decision> before = decisions(p);
            if (override != null) {
                p.overrides.put(purpose, override);
            } else {
                p.overrides.remove(purpose);
                p.consents = apply(p.consents, purpose, state);
            }
            p.version = ++version;
            long last = feed.size();
            for (Purpose q : Purpose.values()) {
                Decision now = p.decide(q);
                if (!now.equals(before.get(q))) {
                    // A secondary grant that stops permitting leaves an erasure owed, as at the service.
                    String purge = null;
                    if (override == null && q.isSecondary() && before.get(q).permitted() && !now.permitted()) {
                        purge = java.util.UUID.randomUUID().toString();
                        purges.put(purge, new PurgeRequest(purge, patientId, q));
                    }
                    last = append(patientId, q, now, p.version, purge);
                }
            }
            awaitFollowers(last);
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** The aggregate after the change: by its rules when it takes it, as asked when it refuses it. */
    private static PatientConsents apply(PatientConsents consents, Purpose purpose, ConsentState state) {
        Instant now = Instant.now();
        if (state.isDecision()) {
            ChangeOutcome outcome = consents.change(new ConsentChange(purpose, state, null, Channel.API, null),
                    DecidedBy.patient(consents.patient()), now);
            if (outcome instanceof ChangeOutcome.Applied applied) {
                return applied.after();
            }
        }
        List<PurposeConsent> stored = new ArrayList<>();
        for (Purpose q : Purpose.values()) {
            PurposeConsent c = consents.consent(q);
            stored.add(q != purpose ? c : new PurposeConsent(purpose, state, state.isDecision()
                    ? TERMS.notice(purpose).orElseThrow() : 0, c.version() + 1, now));
        }
        return PatientConsents.of(consents.patient(), APPLICATION, TERMS, stored);
    }

    private static Map<Purpose, Decision> decisions(Patient p) {
        Map<Purpose, Decision> decisions = new EnumMap<>(Purpose.class);
        for (Purpose q : Purpose.values()) {
            decisions.put(q, p.decide(q));
        }
        return decisions;
    }

    /** Appends a change to the feed (a null patient: every patient) and wakes the long polls; returns its seq. */
    private long append(String patientId, Purpose purpose, Decision decision, long changeVersion) {
        return append(patientId, purpose, decision, changeVersion, null);
    }

    private long append(String patientId, Purpose purpose, Decision decision, long changeVersion, String purgeId) {
        long seq = feed.size() + 1L;
        feed.add(patientId == null ? new FeedChange(seq, null, purpose, null, null, changeVersion)
                : new FeedChange(seq, patientId, purpose, decision.outcome(), decision.reason(), changeVersion, purgeId));
        changed.signalAll();
        return seq;
    }

    /**
     * Waits until every client following the feed has asked for the changes after {@code seq}, and
     * so has taken every change up to it into its cache: at most 5 seconds, and not during an outage.
     */
    private void awaitFollowers(long seq) {
        long deadline = System.nanoTime() + DELIVERY_TIMEOUT_NANOS;
        Thread self = Thread.currentThread();
        while (!unavailable) {
            followers.keySet().removeIf(t -> !t.isAlive());
            boolean behind = followers.entrySet().stream()
                    .anyMatch(f -> f.getKey() != self && f.getValue() < seq);
            long left = deadline - System.nanoTime();
            if (!behind || left <= 0) {
                return;
            }
            try {
                // Also wakes now and then to notice a follower whose client closed.
                changed.awaitNanos(Math.min(left, RECHECK_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void requireAvailable() throws Unavailable {
        if (unavailable) {
            throw new Unavailable("the test data is unavailable", null);
        }
    }

    private static PatientId valid(String patientId) throws Rejected {
        if (!PatientId.isValid(patientId)) {
            throw new Rejected("patient id must match " + PatientId.PATTERN);
        }
        return PatientId.of(patientId);
    }

    private static Map<Purpose, Integer> notices() {
        Map<Purpose, Integer> notices = new EnumMap<>(Purpose.class);
        for (Purpose p : Purpose.values()) {
            notices.put(p, 1);
        }
        return notices;
    }

    private static java.security.KeyPair receiptKeys() {
        try {
            return java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is part of every Java 17 runtime", e);
        }
    }
}
