package health.consent.sdk;

import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a catalogue application calls before it processes a patient's data for a purpose, and to
 * record every access.
 *
 * <pre>{@code
 * ConsentClient client = ConsentClient.builder()
 *         .baseUrl("https://consent.example")
 *         .token(() -> currentAppToken())
 *         .build();
 * Report r = client.withConsent("patient-42", Purpose.STATISTICS,
 *         AccessContext.of("analyst-7", "lab-results"), () -> analyse(records));
 * }</pre>
 *
 * <p>Answers come from a local cache that the service's change feed keeps fresh, so a check is
 * an in-memory lookup and a withdrawal reaches the cache within a second. The client fails
 * closed: when its cache cannot be trusted (the feed has been silent longer than
 * {@link ConsentClientBuilder#staleAfter}) and the service cannot be reached, secondary purposes
 * are denied with {@link health.consent.model.Reason#SERVICE_UNAVAILABLE}. CARE answers fall back
 * to the last state known, so that care is never blocked by an outage.
 *
 * <p>Implementations are thread-safe. Use one client per application and {@link #close()} it
 * when the application stops, so that every access record is delivered.
 */
public interface ConsentClient extends AutoCloseable {

    /**
     * A builder for the client: over HTTP to the consent service, or, in an application's own
     * tests, over {@link health.consent.sdk.testing.TestData}.
     */
    static ConsentClientBuilder builder() {
        return new ConsentClientBuilder();
    }

    /**
     * May this application process the patient's data for the purpose? Never throws and never
     * returns null: when the answer cannot be known, it is DENY.
     */
    Decision check(String patientId, Purpose purpose);

    /**
     * Like {@link #check}, but throws when the answer is DENY.
     *
     * @throws ConsentDeniedException with the decision, when processing is not permitted
     */
    default void require(String patientId, Purpose purpose) {
        Decision d = check(patientId, purpose);
        if (!d.permitted()) {
            throw new ConsentDeniedException(patientId, purpose, d);
        }
    }

    /**
     * Checks, records the access (PERMIT or DENY), and runs {@code work} only if permitted.
     *
     * @return what {@code work} returned
     * @throws ConsentDeniedException when processing is not permitted; {@code work} did not run
     * @throws AccessNotRecordedException when the access could not be queued for recording (the
     *         service has been unreachable long enough to fill the queue); {@code work} did not run
     */
    <T> T withConsent(String patientId, Purpose purpose, AccessContext context, Supplier<T> work);

    /**
     * The patients among {@code patientIds} who permit the purpose, in the order given, without
     * duplicates. Any number of ids: they are sent sorted, in requests of up to 1 MB of ids (some
     * 70,000), which the service reads as ranges.
     * Invalid ids are never permitted. When the service cannot be reached, only answers the cache
     * can vouch for are used (fail closed).
     */
    Set<String> filterPermitted(Purpose purpose, Collection<String> patientIds);

    /**
     * Records an access made without {@link #withConsent}. Records are sent in batches, retried
     * with the same ids until the service has them, and never dropped silently.
     *
     * @throws AccessNotRecordedException when the queue of records waiting to be sent is full
     * @throws IllegalArgumentException   when the patient id is invalid
     */
    void recordAccess(String patientId, Purpose purpose, AccessContext context, Outcome outcome);

    /**
     * Asks the service for the decision with its signed receipt, to keep in the application's
     * processing log as evidence that consent was checked. Never from the cache. The receipt's
     * signature is checked (with the service's receipt key, fetched once) and the decision returned
     * is the one the receipt signs. Fails closed: when the service cannot be reached, or its receipt
     * does not verify or is about another patient or purpose, the answer is DENY without a receipt.
     */
    SignedDecision checkWithReceipt(String patientId, Purpose purpose);

    /**
     * Calls {@code listener} with every erasure the application comes to owe (a secondary grant
     * withdrawn, refused after it, or expired), on the feed's thread, as the change arrives. Erase
     * what was extracted under the purpose, then {@link #confirmPurge}. A listener that throws leaves
     * the obligation pending: {@link #pendingPurges} lists them (at start, say).
     */
    void addPurgeListener(Consumer<PurgeRequest> listener);

    /**
     * Tells the service the erasure is done. Idempotent.
     *
     * @throws PurgeNotConfirmedException when the service cannot be told now: confirm again later
     */
    void confirmPurge(String purgeId);

    /**
     * The erasures owed and not yet confirmed, oldest first, asked of the service.
     *
     * @throws PurgeNotConfirmedException when the service cannot be reached
     */
    List<PurgeRequest> pendingPurges();

    /** Where the client stands with the service's change feed. */
    ClientStatus status();

    /** Calls {@code listener} with every new status, on the client's own thread. */
    void addStatusListener(Consumer<ClientStatus> listener);

    /**
     * Calls {@code listener} with every access record the service refuses as invalid, on the
     * client's own thread. Such a record is also logged as a warning; the rest of its batch is
     * delivered. It should not happen: records are checked with the service's rules before they
     * are queued, and their times follow the service's clock.
     */
    void addRejectionListener(Consumer<RejectedAccess> listener);

    /** Stops following the feed and delivers the access records still queued (waiting up to the flush timeout). */
    @Override
    void close();
}
