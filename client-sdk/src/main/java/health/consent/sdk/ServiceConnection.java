package health.consent.sdk;

import health.consent.model.Purpose;
import health.consent.model.wire.AccessReport;
import health.consent.model.wire.DecisionAnswer;
import health.consent.model.wire.FeedPage;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a {@link ConsentClient} asks of the consent service: the four requests of its API that the
 * client uses. Every failure is an exception; the client decides what it means (it fails closed).
 *
 * <p>Implemented by the HTTP connection that {@link ConsentClientBuilder#baseUrl} sets up and by
 * {@link health.consent.sdk.testing.TestData}; applications do not implement it.
 */
public interface ServiceConnection {

    /** {@code GET /api/v1/decisions/{patientId}/{purpose}}: the patient's decision and its version. */
    DecisionAnswer decision(String patientId, Purpose purpose) throws Unavailable, Rejected;

    /**
     * {@code GET /api/v1/decisions/{patientId}/{purpose}?receipt=true}: the signed receipt of the
     * decision (a compact JWS), which carries the decision itself.
     */
    String decisionReceipt(String patientId, Purpose purpose) throws Unavailable, Rejected;

    /** {@code GET /api/v1/audit/receipt-key}: the JWK that checks receipts. */
    String receiptKey() throws Unavailable, Rejected;

    /**
     * {@code GET /api/v1/changes}: with {@code after} null, no changes and the current position;
     * otherwise the changes after {@code after}, answered as soon as there is one or after
     * {@code waitSeconds} with none.
     */
    FeedPage changes(Long after, int waitSeconds) throws Unavailable, Rejected;

    /** {@code POST /api/v1/purges/{id}/confirmation}: the erasure is done. */
    void confirmPurge(String purgeId) throws Unavailable, Rejected;

    /** {@code GET /api/v1/purges}: the erasures owed and not confirmed, oldest first. */
    List<PurgeRequest> pendingPurges() throws Unavailable, Rejected;

    /**
     * {@code POST /api/v1/decisions/cohort} ({@code /filter} on a service without it): the ids among
     * {@code patientIds} (valid, distinct, at most {@link #COHORT_BYTES} with a line break each) that
     * permit the purpose, in any order.
     */
    List<String> filter(Purpose purpose, List<String> patientIds) throws Unavailable, Rejected;

    /** The most bytes of ids, each with its line break, one cohort request carries: under the service's 1 MB. */
    int COHORT_BYTES = 1_000_000;

    /** {@code POST /api/v1/access-records}: stores the batch (each id once, however often it is sent). */
    void record(List<AccessReport> batch) throws Unavailable, Rejected;

    /** The service could not give an answer: unreachable, timed out, 5xx, or refused the token. Try again later. */
    final class Unavailable extends Exception {

        private final Duration retryAfter;

        public Unavailable(String message, Throwable cause) {
            this(message, cause, Duration.ZERO);
        }

        /** {@code retryAfter}: how long the service asked to wait before the next request (429, 503). */
        public Unavailable(String message, Throwable cause, Duration retryAfter) {
            super(message, cause, false, false);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /**
     * The difference between the service's clock and this machine's (service minus local), as the
     * service's answers tell it; zero until known, or when under two seconds.
     */
    default Duration clockOffset() {
        return Duration.ZERO;
    }

    /**
     * The service refused a request as invalid: sending it again would not help. {@code problems}
     * are the request's fields at fault with what is wrong with each (for a batch of access
     * records, {@code [3].at}), when the service named them.
     */
    final class Rejected extends Exception {

        private final Map<String, String> problems;

        public Rejected(String message) {
            this(message, Map.of());
        }

        public Rejected(String message, Map<String, String> problems) {
            super(message, null, false, false);
            this.problems = Map.copyOf(problems);
        }

        public Map<String, String> problems() {
            return problems;
        }
    }
}
