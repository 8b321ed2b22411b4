package health.consent.service.audit;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The log as an outsider follows it (c2sp.org/signed-note, tlog-checkpoint, tlog-tiles), checked by
 * an implementation written here from the specifications, which calls none of the project's code:
 * the checkpoint note's signature, the tree rebuilt from tiles to the signed root, and salted
 * leaves that confirm no guess.
 */
class TransparencyLogTest extends OnBothDatabases {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            sha.update(p);
        }
        return sha.digest();
    }

    /** RFC 6962 MTH over leaf hashes. */
    private static byte[] mth(List<byte[]> leaves, int from, int to) throws Exception {
        if (to - from == 1) {
            return leaves.get(from);
        }
        int k = Integer.highestOneBit(to - from - 1);
        return sha256(new byte[] {1}, mth(leaves, from, from + k), mth(leaves, from + k, to));
    }

    private static String tilePath(long n) {
        StringBuilder s = new StringBuilder(String.format("%03d", n % 1000));
        for (n /= 1000; n > 0; n /= 1000) {
            s.insert(0, String.format("x%03d/", n % 1000));
        }
        return s.toString();
    }

    private HttpResponse<byte[]> raw(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(service.uri().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void the_checkpoint_is_a_signed_note_of_the_log_key_and_the_tiles_rebuild_its_root() throws Exception {
        AuditClient audit = new AuditClient(api);
        audit.activity(130);
        assertThat(api.post("/api/v1/audit/checkpoints", Tokens.regulator(), null).status()).isEqualTo(200);

        HttpResponse<byte[]> response = raw("/log/checkpoint");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String note = new String(response.body(), StandardCharsets.UTF_8);
        int split = note.lastIndexOf("\n\n");
        String text = note.substring(0, split + 1);
        String[] lines = text.split("\n");
        String origin = lines[0];
        int size = Integer.parseInt(lines[1]);
        byte[] root = Base64.getDecoder().decode(lines[2]);
        assertThat(lines).hasSize(3);
        assertThat(size).isGreaterThanOrEqualTo(260);

        // The signature line: em dash, space, the key's name (the origin), space, base64(key id || signature).
        String signatureLine = note.substring(split + 2);
        String prefix = "\u2014 " + origin + " ";
        assertThat(signatureLine).startsWith(prefix).endsWith("\n");
        byte[] signed = Base64.getDecoder().decode(signatureLine.substring(prefix.length(), signatureLine.length() - 1));
        byte[] x509 = Base64.getDecoder().decode(api.get("/api/v1/audit/public-key", null).str("publicKey"));
        byte[] rawKey = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
        byte[] keyId = Arrays.copyOf(sha256(origin.getBytes(StandardCharsets.UTF_8), new byte[] {0x0A, 0x01}, rawKey), 4);
        assertThat(Arrays.copyOf(signed, 4)).isEqualTo(keyId);
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update(text.getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(Arrays.copyOfRange(signed, 4, signed.length))).as("the note's signature").isTrue();
        String vkey = new String(raw("/log/key").body(), StandardCharsets.UTF_8).trim();
        byte[] typed = new byte[33];
        typed[0] = 0x01;
        System.arraycopy(rawKey, 0, typed, 1, 32);
        assertThat(vkey).isEqualTo(origin + "+" + HexFormat.of().formatHex(keyId) + "+"
                + Base64.getEncoder().encodeToString(typed));

        // Level 0: every leaf hash, in full tiles of 256 and one partial tile.
        List<byte[]> leaves = new ArrayList<>();
        for (int n = 0; n * 256 < size; n++) {
            int width = Math.min(256, size - n * 256);
            HttpResponse<byte[]> tile = raw("/log/tile/0/" + tilePath(n) + (width < 256 ? ".p/" + width : ""));
            assertThat(tile.statusCode()).isEqualTo(200);
            assertThat(tile.headers().firstValue("Cache-Control").orElse("")).contains("immutable");
            assertThat(tile.body()).hasSize(32 * width);
            for (int i = 0; i < width; i++) {
                leaves.add(Arrays.copyOfRange(tile.body(), 32 * i, 32 * i + 32));
            }
        }
        assertThat(mth(leaves, 0, size)).as("the tree rebuilt from tiles has the signed root").isEqualTo(root);
        // Level 1: the root of each full level-0 tile.
        HttpResponse<byte[]> upper = raw("/log/tile/1/000.p/1");
        assertThat(upper.body()).isEqualTo(mth(leaves, 0, 256));

        // A leaf is salted: the record's fields alone, hashed, are not a leaf.
        Res exported = api.get("/api/v1/audit/access-records?size=1&reason=Checking%20salted%20leaves",
                Tokens.regulator());
        assertThat(exported.str("items[0].salt")).matches("[0-9a-f]{64}");
        Map<String, Object> unsalted = new TreeMap<>();
        for (String f : List.of("accessorType", "actor", "applicationId", "at", "dataCategory", "id", "outcome",
                "patientId", "purpose", "reason")) {
            var v = exported.at("items[0]." + f);
            unsalted.put(f, v == null || v.isNull() ? null : v.getValue());
        }
        unsalted.put("kind", "access-record");
        StringBuilder json = new StringBuilder("{");
        unsalted.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":")
                .append(v == null ? "null" : "\"" + v + "\""));
        byte[] guess = sha256(new byte[] {0}, json.append('}').toString().getBytes(StandardCharsets.UTF_8));
        assertThat(leaves).noneMatch(l -> Arrays.equals(l, guess));
    }

    @Test
    void tile_paths_are_read_as_the_specification_writes_them_and_nothing_else() throws Exception {
        for (String bad : List.of("/log/tile/0/1", "/log/tile/0/x000/001", "/log/tile/9/000", "/log/tile/01/000",
                "/log/tile/0/000.p/256", "/log/tile/0/000.p/0", "/log/tile/0/abc", "/log/tile/-1/000",
                "/log/tile/0/000.p/017")) {
            HttpResponse<byte[]> res = raw(bad);
            assertThat(res.statusCode()).as(bad).isEqualTo(400);
            assertThat(res.headers().firstValue("Content-Type").orElse("")).as(bad).startsWith("application/problem+json");
        }
        HttpResponse<byte[]> beyond = raw("/log/tile/0/x999/x999/999");
        assertThat(beyond.statusCode()).isEqualTo(404);
        assertThat(beyond.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }
}
