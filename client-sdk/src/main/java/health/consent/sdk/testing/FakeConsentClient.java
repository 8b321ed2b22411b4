package health.consent.sdk.testing;

import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.sdk.AccessContext;
import health.consent.sdk.ClientStatus;
import health.consent.sdk.ConsentClient;
import health.consent.sdk.ConsentDeniedException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link ConsentClient} for an application's own tests: no server, answers you set, and every
 * access recorded in memory for your assertions. Like the real client, everything not set is
 * DENY, and a secondary purpose permits only while CARE does.
 *
 * <pre>{@code
 * FakeConsentClient consents = new FakeConsentClient()
 *         .grant("patient-42", Purpose.CARE)
 *         .grant("patient-42", Purpose.STATISTICS);
 * new MyReport(consents).run();
 * assertThat(consents.accesses()).hasSize(1);
 * }</pre>
 */
public final class FakeConsentClient implements ConsentClient {

    /** An access the code under test recorded. */
    public record RecordedAccess(String patientId, Purpose purpose, AccessContext context, Outcome outcome,
                                 Instant at) {
    }

    private final Map<String, Reason> reasons = new ConcurrentHashMap<>();
    private final List<RecordedAccess> accesses = new CopyOnWriteArrayList<>();
    private final List<Consumer<ClientStatus>> listeners = new CopyOnWriteArrayList<>();
    private volatile ClientStatus status = ClientStatus.VALID;

    /** The patient grants the purpose. */
    public FakeConsentClient grant(String patientId, Purpose purpose) {
        return set(patientId, purpose, Reason.GRANTED);
    }

    /** The purpose is denied with this reason (REFUSED, WITHDRAWN, RECONSENT_REQUIRED, SERVICE_UNAVAILABLE...). */
    public FakeConsentClient deny(String patientId, Purpose purpose, Reason reason) {
        if (reason == Reason.GRANTED) {
            throw new IllegalArgumentException("use grant() to permit");
        }
        return set(patientId, purpose, reason);
    }

    /** Forgets every answer and access. */
    public FakeConsentClient reset() {
        reasons.clear();
        accesses.clear();
        return this;
    }

    /** Sets the status the code under test sees, and tells its listeners. */
    public FakeConsentClient status(ClientStatus next) {
        status = next;
        listeners.forEach(l -> l.accept(next));
        return this;
    }

    /** Every access recorded so far, oldest first. */
    public List<RecordedAccess> accesses() {
        return Collections.unmodifiableList(new ArrayList<>(accesses));
    }

    private FakeConsentClient set(String patientId, Purpose purpose, Reason reason) {
        PatientId.of(patientId);
        reasons.put(key(patientId, purpose), reason);
        return this;
    }

    @Override
    public Decision check(String patientId, Purpose purpose) {
        if (purpose == null || !PatientId.isValid(patientId)) {
            return Decision.deny(Reason.NOT_SET);
        }
        Reason own = reasons.getOrDefault(key(patientId, purpose), Reason.NOT_SET);
        if (purpose.isSecondary() && own == Reason.GRANTED
                && reasons.getOrDefault(key(patientId, Purpose.CARE), Reason.NOT_SET) != Reason.GRANTED) {
            return Decision.deny(Reason.CARE_NOT_GRANTED);
        }
        return Decision.of(own);
    }

    @Override
    public <T> T withConsent(String patientId, Purpose purpose, AccessContext context, Supplier<T> work) {
        Decision d = check(patientId, purpose);
        accesses.add(new RecordedAccess(patientId, purpose, context, d.outcome(), Instant.now()));
        if (!d.permitted()) {
            throw new ConsentDeniedException(patientId, purpose, d);
        }
        return work.get();
    }

    @Override
    public Set<String> filterPermitted(Purpose purpose, Collection<String> patientIds) {
        Set<String> permitted = new LinkedHashSet<>();
        for (String id : patientIds) {
            if (check(id, purpose).permitted()) {
                permitted.add(id);
            }
        }
        return Collections.unmodifiableSet(permitted);
    }

    @Override
    public void recordAccess(String patientId, Purpose purpose, AccessContext context, Outcome outcome) {
        PatientId.of(patientId);
        accesses.add(new RecordedAccess(patientId, purpose, context, outcome, Instant.now()));
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
        status(ClientStatus.OFF);
    }

    private static String key(String patientId, Purpose purpose) {
        return purpose.name() + ':' + patientId;
    }
}
