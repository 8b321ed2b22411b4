package health.consent.model.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Compact JWS (RFC 7515) signed with EdDSA over Ed25519 (RFC 8037): the service's receipts. */
public final class Jws {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

    private Jws() {
    }

    /** Signs the payload (a JSON object) with header {@code {"alg":"EdDSA","typ":typ,"kid":keyId}}. */
    public static String sign(Map<String, Object> payload, String typ, String keyId, PrivateKey key) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "EdDSA");
        header.put("typ", typ);
        header.put("kid", keyId);
        String input = b64(Json.write(header)) + "." + b64(Json.write(payload));
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign", e);
        }
    }

    /** The {@code typ} of a compact JWS's header, unchecked (to choose how to verify it). */
    public static String type(String jws) {
        String[] parts = parts(jws);
        return String.valueOf(Json.object(text(parts[0])).get("typ"));
    }

    /**
     * The payload of a compact JWS of this {@code typ}, once its EdDSA signature is checked.
     *
     * @throws IllegalArgumentException when malformed, of another type, or not signed by the key
     */
    public static Map<String, Object> verify(String jws, String typ, PublicKey key) {
        String[] parts = parts(jws);
        Map<String, Object> header = Json.object(text(parts[0]));
        if (!"EdDSA".equals(header.get("alg")) || !typ.equals(header.get("typ"))) {
            throw new IllegalArgumentException("not a " + typ + " signed with EdDSA");
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!s.verify(UNB64.decode(parts[2]))) {
                throw new IllegalArgumentException("the signature does not verify with this key");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith("the signature")) {
                throw iae;
            }
            throw new IllegalArgumentException("the signature does not verify with this key", e);
        }
        return Json.object(text(parts[1]));
    }

    private static String[] parts(String jws) {
        String[] parts = Objects.requireNonNull(jws, "jws").trim().split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("a receipt is a compact JWS of three parts");
        }
        return parts;
    }

    private static String b64(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(String part) {
        try {
            return new String(UNB64.decode(part), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a receipt's parts are base64url", e);
        }
    }
}
