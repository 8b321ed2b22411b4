package health.consent.model.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DecisionReceiptTest {

    private static final DecisionReceipt RECEIPT = new DecisionReceipt("app-1", "p-1", Purpose.STATISTICS,
            Outcome.DENY, Reason.WITHDRAWN, 4, 1_780_000_000L);

    private static KeyPair pair() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    @Test
    void a_jwk_reads_as_rfc_8037_writes_it_and_verifies_the_rfcs_example_signature() throws Exception {
        // RFC 8037, appendix A.4: the JWS of "Example of Ed25519 signing" with the key of A.2.
        PublicKey key = DecisionReceipt.fromJwk(
                "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}");
        String input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        String signature = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        assertThat(s.verify(Base64.getUrlDecoder().decode(signature))).isTrue();
        assertThat(DecisionReceipt.jwk(key)).contains("\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"");
    }

    @Test
    void a_signed_receipt_verifies_and_reads_back_with_the_public_key_alone() throws Exception {
        KeyPair pair = pair();
        String jws = RECEIPT.sign(pair.getPrivate(), DecisionReceipt.keyId(pair.getPublic()));
        PublicKey published = DecisionReceipt.fromJwk(DecisionReceipt.jwk(pair.getPublic()));
        assertThat(DecisionReceipt.verify(jws, published)).isEqualTo(RECEIPT);
        String header = new String(Base64.getUrlDecoder().decode(jws.split("\\.")[0]), StandardCharsets.UTF_8);
        assertThat(header).isEqualTo("{\"alg\":\"EdDSA\",\"typ\":\"decision-receipt+jwt\",\"kid\":\""
                + DecisionReceipt.keyId(pair.getPublic()) + "\"}");
    }

    @Test
    void a_changed_payload_another_key_or_a_malformed_token_is_refused() throws Exception {
        KeyPair pair = pair();
        String jws = RECEIPT.sign(pair.getPrivate(), "k");
        String[] parts = jws.split("\\.");
        String permit = Base64.getUrlEncoder().withoutPadding().encodeToString(new String(
                Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"DENY\"", "\"PERMIT\"").replace("WITHDRAWN", "GRANTED").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> DecisionReceipt.verify(parts[0] + "." + permit + "." + parts[2], pair.getPublic()))
                .hasMessageContaining("signature");
        assertThatThrownBy(() -> DecisionReceipt.verify(jws, pair().getPublic())).hasMessageContaining("signature");
        assertThatThrownBy(() -> DecisionReceipt.verify("a.b", pair.getPublic())).hasMessageContaining("three parts");
        assertThatThrownBy(() -> DecisionReceipt.verify("e30.e30.AA", pair.getPublic())).hasMessageContaining("EdDSA");
    }

    @Test
    void a_receipt_cannot_say_permit_for_a_reason_that_denies() {
        assertThatThrownBy(() -> new DecisionReceipt("a", "p", Purpose.CARE, Outcome.PERMIT, Reason.REFUSED, 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
