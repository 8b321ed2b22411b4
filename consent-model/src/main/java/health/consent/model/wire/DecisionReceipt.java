package health.consent.model.wire;

import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A signed decision receipt: evidence that the service answered this decision to this application
 * about this patient and purpose, at this time. A compact JWS (RFC 7515) signed with EdDSA
 * (Ed25519, RFC 8037), whose payload is {@code {app, patient, purpose, decision, reason, version, iat}}
 * and whose header names the key ({@code kid}). The key is published as a JWK
 * ({@code GET /api/v1/audit/receipt-key}); anyone holding it checks a receipt offline.
 *
 * @param iat the time of the answer, in seconds since the epoch
 */
public record DecisionReceipt(String app, String patient, Purpose purpose, Outcome decision, Reason reason,
                              long version, long iat) {

    public static final String TYPE = "decision-receipt+jwt";
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

    public DecisionReceipt {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(patient, "patient");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(reason, "reason");
        if (Decision.of(reason).outcome() != Objects.requireNonNull(decision, "decision")) {
            throw new IllegalArgumentException("inconsistent decision " + decision + " " + reason);
        }
    }

    /** The compact JWS of this receipt, signed with an Ed25519 private key. */
    public String sign(PrivateKey key, String keyId) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("app", app);
        payload.put("patient", patient);
        payload.put("purpose", purpose);
        payload.put("decision", decision);
        payload.put("reason", reason);
        payload.put("version", version);
        payload.put("iat", iat);
        return Jws.sign(payload, TYPE, keyId, key);
    }

    /**
     * The receipt in a compact JWS, once its EdDSA signature is checked against the key.
     *
     * @throws IllegalArgumentException when the token is malformed, not an EdDSA decision receipt, or
     *                                  its signature does not verify (the message says which)
     */
    public static DecisionReceipt verify(String jws, PublicKey key) {
        Map<String, Object> p = Jws.verify(jws, TYPE, key);
        try {
            return new DecisionReceipt((String) p.get("app"), (String) p.get("patient"),
                    Purpose.valueOf((String) p.get("purpose")), Outcome.valueOf((String) p.get("decision")),
                    Reason.valueOf((String) p.get("reason")), ((Number) p.get("version")).longValue(),
                    ((Number) p.get("iat")).longValue());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the receipt's payload is not a decision receipt", e);
        }
    }

    /** The key's id: the first 16 hex digits of the SHA-256 of its raw 32 bytes. */
    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw(key)), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as a JWK (RFC 8037): {@code {"kty":"OKP","crv":"Ed25519","x":...,"kid":...}}. */
    public static String jwk(PublicKey key) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "OKP");
        jwk.put("crv", "Ed25519");
        jwk.put("x", B64.encodeToString(raw(key)));
        jwk.put("kid", keyId(key));
        jwk.put("alg", "EdDSA");
        jwk.put("use", "sig");
        return Json.write(jwk);
    }

    /** The public key of a JWK as {@link #jwk} writes it. */
    public static PublicKey fromJwk(String jwk) {
        Map<String, Object> k = Json.object(jwk);
        if (!"OKP".equals(k.get("kty")) || !"Ed25519".equals(k.get("crv")) || !(k.get("x") instanceof String x)) {
            throw new IllegalArgumentException("not an Ed25519 JWK");
        }
        byte[] raw = UNB64.decode(x);
        if (raw.length != 32) {
            throw new IllegalArgumentException("an Ed25519 key has 32 bytes");
        }
        byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + 32);
        System.arraycopy(raw, 0, encoded, X509_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 JWK", e);
        }
    }

    private static byte[] raw(PublicKey key) {
        byte[] encoded = key.getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }
}
