package health.consent.sdk;

import health.consent.model.Decision;
import health.consent.model.wire.DecisionReceipt;

/**
 * A decision and the service's signed receipt of it ({@link ConsentClient#checkWithReceipt}).
 *
 * @param decision the decision the receipt signs, or DENY when there is no receipt
 * @param receipt  the compact JWS to keep with the processing it allowed, or null when the service
 *                 gave none (then the decision is DENY)
 * @param claims   what the receipt says, checked; null without a receipt
 */
public record SignedDecision(Decision decision, String receipt, DecisionReceipt claims) {

    public boolean permitted() {
        return decision.permitted();
    }
}
