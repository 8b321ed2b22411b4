package health.consent.service.decision;

import health.consent.model.ApplicationId;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.wire.DecisionAnswer;
import health.consent.model.wire.DecisionReceipt;
import health.consent.service.audit.AuditSigner;
import jakarta.inject.Singleton;
import java.security.KeyPair;
import java.time.Instant;

/**
 * Signs decision receipts. The key is derived from the audit key ({@link AuditSigner#derive}), so
 * that there is no second secret to keep, and published as a JWK beside the audit key.
 */
@Singleton
public class Receipts {

    static final String KEY_LABEL = "consent-decision-receipts/v1";

    private final KeyPair key;
    private final String keyId;

    public Receipts(AuditSigner signer) {
        this.key = signer.derive(KEY_LABEL);
        this.keyId = DecisionReceipt.keyId(key.getPublic());
    }

    /** The compact JWS of an answer given now. */
    public String sign(ApplicationId application, PatientId patient, Purpose purpose, DecisionAnswer answer) {
        return new DecisionReceipt(application.value(), patient.value(), purpose, answer.decision(), answer.reason(),
                answer.version(), Instant.now().getEpochSecond()).sign(key.getPrivate(), keyId);
    }

    /** Signs another kind of receipt (its payload and {@code typ}) with the same key. */
    public String sign(java.util.Map<String, Object> payload, String typ) {
        return health.consent.model.wire.Jws.sign(payload, typ, keyId, key.getPrivate());
    }

    /** The public key as a JWK. */
    public String jwk() {
        return DecisionReceipt.jwk(key.getPublic());
    }
}
