package health.consent.model.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, and the checkpoints they carry
 * (c2sp.org/tlog-checkpoint): what the log's operator signs, and what witnesses cosign.
 *
 * <pre>
 * &lt;text: lines each ending in "\n"&gt;
 * "\n"
 * "— " &lt;key name&gt; " " base64(key id (4 bytes) || signature) "\n"      (one line per signature)
 * </pre>
 *
 * The signed bytes are the text with its final newline. An Ed25519 key's id is the first four
 * bytes of {@code SHA-256(name || 0x0A || 0x01 || public key)}; its verifier key is
 * {@code name+<hex id>+base64(0x01 || public key)}.
 */
public final class SignedNote {

    /** The note text and its signature lines. */
    public record Note(String text, List<Line> signatures) {
        public Note {
            signatures = List.copyOf(signatures);
        }

        /** The note as sent: text, blank line, signature lines. */
        public String format() {
            StringBuilder out = new StringBuilder(text).append('\n');
            signatures.forEach(s -> out.append(s.format()));
            return out.toString();
        }
    }

    /** One signature line: who signed, the key's id and the signature (for a cosignature, timestamp and signature). */
    public record Line(String name, byte[] keyId, byte[] signature) {
        public String format() {
            byte[] both = new byte[4 + signature.length];
            System.arraycopy(keyId, 0, both, 0, 4);
            System.arraycopy(signature, 0, both, 4, signature.length);
            return DASH + name + " " + Base64.getEncoder().encodeToString(both) + "\n";
        }
    }

    /** The signature line's start: an em dash (U+2014) and a space. */
    public static final String DASH = "\u2014 ";
    /** The signature type of an Ed25519 note key. */
    public static final byte ED25519 = 0x01;

    private static final byte[] X509_ED25519_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final int MAX_SIGNATURES = 100;

    private SignedNote() {
    }

    /** The text of a checkpoint: origin, tree size, and the root hash in base64. */
    public static String checkpointText(String origin, long treeSize, byte[] rootHash) {
        return origin + "\n" + treeSize + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
    }

    /** Whether a name may name a key: not empty, no space of any kind, no '+'. */
    public static boolean isValidName(String name) {
        return name != null && !name.isEmpty() && name.codePoints()
                .noneMatch(c -> c == '+' || Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85);
    }

    /** The id of a key: the first four bytes of SHA-256(name || 0x0A || type || public key). */
    public static byte[] keyId(String name, byte type, byte[] rawPublicKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0x0A);
            sha.update(type);
            return Arrays.copyOf(sha.digest(rawPublicKey), 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The verifier key, as clients and witnesses are configured with it: {@code name+hex id+base64(type || key)}. */
    public static String verifierKey(String name, byte type, PublicKey key) {
        byte[] raw = raw(key);
        byte[] typed = new byte[raw.length + 1];
        typed[0] = type;
        System.arraycopy(raw, 0, typed, 1, raw.length);
        return name + "+" + HexFormat.of().formatHex(keyId(name, type, raw)) + "+"
                + Base64.getEncoder().encodeToString(typed);
    }

    /** A key read from its verifier key, or an exception saying what is wrong. */
    public record VerifierKey(String name, byte type, byte[] keyId, PublicKey key) {

        public static VerifierKey parse(String vkey) {
            String[] parts = vkey.trim().split("\\+", 3);
            if (parts.length != 3 || !isValidName(parts[0]) || !parts[1].matches("[0-9a-f]{8}")) {
                throw new IllegalArgumentException("a verifier key is name+<8 hex digits>+<base64>");
            }
            byte[] typed = Base64.getDecoder().decode(parts[2]);
            if (typed.length != 33 || (typed[0] != ED25519 && typed[0] != Cosignature.TYPE)) {
                throw new IllegalArgumentException("only Ed25519 keys (type 0x01, or 0x04 for a witness) are known");
            }
            byte[] raw = Arrays.copyOfRange(typed, 1, 33);
            byte[] id = SignedNote.keyId(parts[0], typed[0], raw);
            if (!HexFormat.of().formatHex(id).equals(parts[1])) {
                throw new IllegalArgumentException("the verifier key's id does not match its key");
            }
            return new VerifierKey(parts[0], typed[0], id, publicKey(raw));
        }
    }

    /** Signs {@code text} (which must end in a newline) with an Ed25519 key named {@code name}. */
    public static Line sign(String name, java.security.PrivateKey key, PublicKey publicKey, String text) {
        requireText(text);
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(text.getBytes(StandardCharsets.UTF_8));
            return new Line(name, keyId(name, ED25519, raw(publicKey)), signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a note", e);
        }
    }

    /** Reads a signed note; an exception says what is malformed. */
    public static Note parse(String message) {
        if (message.codePoints().anyMatch(c -> c < 0x20 && c != '\n')) {
            throw new IllegalArgumentException("a note holds no control character but newlines");
        }
        int split = message.lastIndexOf("\n\n");
        if (split < 0 || !message.endsWith("\n")) {
            throw new IllegalArgumentException("a note is text, a blank line and signature lines, each ending in a newline");
        }
        String text = message.substring(0, split + 1);
        List<Line> lines = new ArrayList<>();
        for (String line : message.substring(split + 2).split("\n")) {
            if (!line.startsWith(DASH)) {
                throw new IllegalArgumentException("a signature line starts with an em dash and a space");
            }
            String rest = line.substring(DASH.length());
            int space = rest.indexOf(' ');
            if (space <= 0 || !isValidName(rest.substring(0, space))) {
                throw new IllegalArgumentException("a signature line names its key");
            }
            byte[] both = Base64.getDecoder().decode(rest.substring(space + 1));
            if (both.length < 5) {
                throw new IllegalArgumentException("a signature is a key id and at least one byte");
            }
            lines.add(new Line(rest.substring(0, space), Arrays.copyOf(both, 4), Arrays.copyOfRange(both, 4, both.length)));
            if (lines.size() > MAX_SIGNATURES) {
                throw new IllegalArgumentException("too many signatures");
            }
        }
        return new Note(text, lines);
    }

    /**
     * True when the note carries a signature of the key that verifies; false when it carries none
     * (signatures of other keys are ignored) or when that key's signature is wrong.
     */
    public static boolean verify(Note note, VerifierKey key) {
        if (key.type() != ED25519) {
            return false;
        }
        boolean found = false;
        for (Line line : note.signatures()) {
            if (line.name().equals(key.name()) && Arrays.equals(line.keyId(), key.keyId())) {
                if (!verifyEd25519(key.key(), note.text().getBytes(StandardCharsets.UTF_8), line.signature())) {
                    return false;
                }
                found = true;
            }
        }
        return found;
    }

    static boolean verifyEd25519(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The 32 raw bytes of an Ed25519 public key (RFC 8032), from the JDK's X.509 encoding. */
    public static byte[] raw(PublicKey key) {
        byte[] encoded = key.getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    /** An Ed25519 public key from its 32 raw bytes. */
    public static PublicKey publicKey(byte[] raw) {
        byte[] encoded = new byte[X509_ED25519_PREFIX.length + raw.length];
        System.arraycopy(X509_ED25519_PREFIX, 0, encoded, 0, X509_ED25519_PREFIX.length);
        System.arraycopy(raw, 0, encoded, X509_ED25519_PREFIX.length, raw.length);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    private static void requireText(String text) {
        if (text.isEmpty() || !text.endsWith("\n") || text.contains("\n\n")
                || text.codePoints().anyMatch(c -> c < 0x20 && c != '\n')) {
            throw new IllegalArgumentException("a note's text is non-empty lines, each ending in a newline");
        }
    }
}
