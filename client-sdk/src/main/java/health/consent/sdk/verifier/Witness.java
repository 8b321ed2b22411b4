package health.consent.sdk.verifier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import health.consent.model.audit.Cosignature;
import health.consent.model.audit.Merkle;
import health.consent.model.audit.SignedNote;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A witness of the consent service's audit log (c2sp.org/tlog-witness), that a regulator or a
 * patients' association runs: it keeps, per log origin, the last checkpoint it cosigned, and
 * cosigns a new one only when the log's key signed it and a consistency proof shows that it
 * extends the last one. A log that rewrote its history, or shows two histories, gets no
 * cosignature from it.
 *
 * <p>{@code POST /add-checkpoint} with {@code old <size>\n}, the proof's hashes in base64 (one per
 * line), an empty line and the signed checkpoint: 200 with the cosignature line; 409 with the size
 * it knows ({@code text/x.tlog.size}) when {@code old} is not it; 404 for an unknown origin; 403
 * when the log's signature is missing or wrong; 422 when the proof fails; 400 for a malformed request.
 */
public final class Witness implements AutoCloseable {

    /** The most a request may hold: 63 proof lines and a note with a few signatures fit easily. */
    private static final int MAX_BODY = 64 * 1024;

    private final String name;
    private final PrivateKey key;
    private final PublicKey publicKey;
    private final Map<String, SignedNote.VerifierKey> logs;
    private final Path state;
    private final Map<String, Cosigned> cosigned = new HashMap<>();
    private HttpServer server;

    /** What the witness last cosigned for a log. */
    private record Cosigned(long size, byte[] root) {
    }

    /** An answer: a status, a content type and a body. */
    record Answer(int status, String contentType, String body) {
    }

    public Witness(String name, PrivateKey key, PublicKey publicKey, List<SignedNote.VerifierKey> logs, Path state)
            throws IOException {
        if (!SignedNote.isValidName(name)) {
            throw new IllegalArgumentException("a witness's name has no space and no '+'");
        }
        this.name = name;
        this.key = key;
        this.publicKey = publicKey;
        this.logs = new HashMap<>();
        logs.forEach(l -> this.logs.put(l.name(), l));
        this.state = state;
        if (Files.exists(state)) {
            for (String line : Files.readAllLines(state, StandardCharsets.UTF_8)) {
                String[] parts = line.split(" ");
                if (parts.length == 3) {
                    cosigned.put(parts[0], new Cosigned(Long.parseLong(parts[1]), Merkle.unhex(parts[2])));
                }
            }
        }
    }

    /** The witness's cosignature verifier key, for the log and the verifiers to be configured with. */
    public String verifierKey() {
        return SignedNote.verifierKey(name, Cosignature.TYPE, publicKey);
    }

    /** Serves {@code POST /add-checkpoint} on the address; returns the port. */
    public int start(InetSocketAddress address) throws IOException {
        server = HttpServer.create(address, 0);
        server.createContext("/add-checkpoint", this::handle);
        server.start();
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        Answer answer;
        if (!"POST".equals(exchange.getRequestMethod())) {
            answer = new Answer(405, "text/plain; charset=utf-8", "POST only\n");
        } else {
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readNBytes(MAX_BODY + 1);
                answer = body.length > MAX_BODY ? new Answer(413, "text/plain; charset=utf-8", "too large\n")
                        : addCheckpoint(new String(body, StandardCharsets.UTF_8));
            }
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** One add-checkpoint request, as the specification orders its checks. */
    synchronized Answer addCheckpoint(String body) throws IOException {
        int split = body.indexOf("\n\n");
        if (split < 0 || !body.startsWith("old ")) {
            return text(400, "the body is: old <size>, proof lines, an empty line, the checkpoint\n");
        }
        String[] header = body.substring(0, split).split("\n");
        long old;
        List<byte[]> proof = new ArrayList<>();
        SignedNote.Note note;
        String origin;
        long size;
        byte[] root;
        try {
            if (!header[0].matches("old (0|[1-9][0-9]{0,18})")) {
                throw new IllegalArgumentException("old size");
            }
            old = Long.parseLong(header[0].substring(4));
            if (header.length - 1 > 63) {
                throw new IllegalArgumentException("too many proof lines");
            }
            for (int i = 1; i < header.length; i++) {
                byte[] hash = Base64.getDecoder().decode(header[i]);
                if (hash.length != 32) {
                    throw new IllegalArgumentException("a proof line is a 32-byte hash");
                }
                proof.add(hash);
            }
            note = SignedNote.parse(body.substring(split + 2));
            String[] lines = note.text().split("\n");
            if (lines.length < 3 || !lines[1].matches("0|[1-9][0-9]{0,18}")) {
                throw new IllegalArgumentException("a checkpoint is origin, size and root");
            }
            origin = lines[0];
            size = Long.parseLong(lines[1]);
            root = Base64.getDecoder().decode(lines[2]);
            if (root.length != 32) {
                throw new IllegalArgumentException("a root is 32 bytes");
            }
        } catch (IllegalArgumentException e) {
            return text(400, "malformed request: " + e.getMessage() + "\n");
        }
        SignedNote.VerifierKey log = logs.get(origin);
        if (log == null) {
            return text(404, "unknown log\n");
        }
        if (!SignedNote.verify(note, log)) {
            return text(403, "the checkpoint is not signed by the log's key\n");
        }
        if (old > size) {
            return text(400, "old is larger than the checkpoint's size\n");
        }
        Cosigned last = cosigned.getOrDefault(origin, new Cosigned(0, Merkle.emptyRoot()));
        if (old != last.size()) {
            return new Answer(409, "text/x.tlog.size", last.size() + "\n");
        }
        if (size == 0 && !Arrays.equals(root, Merkle.emptyRoot())) {
            return text(422, "an empty tree has the empty root\n");
        }
        if (old == 0 && !proof.isEmpty()) {
            return text(422, "no proof goes from the empty tree\n");
        }
        if (old == size && !Arrays.equals(root, last.root())) {
            return text(422, "the same size with another root: two histories\n");
        }
        if (old > 0 && old < size && !Merkle.verifyConsistency(old, size, last.root(), root, proof)) {
            return text(422, "the checkpoint does not extend the last one this witness cosigned\n");
        }
        cosigned.put(origin, new Cosigned(size, root));
        save();
        long now = System.currentTimeMillis() / 1000;
        return new Answer(200, "text/plain; charset=utf-8",
                Cosignature.sign(name, key, publicKey, note.text(), now).format());
    }

    /** Written whole then moved into place: a crash never leaves half a state. */
    private void save() throws IOException {
        StringBuilder out = new StringBuilder();
        cosigned.forEach((origin, c) -> out.append(origin).append(' ').append(c.size()).append(' ')
                .append(Merkle.hex(c.root())).append('\n'));
        Path temp = state.resolveSibling(state.getFileName() + ".tmp");
        Files.writeString(temp, out, StandardCharsets.UTF_8);
        Files.move(temp, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Answer text(int status, String message) {
        return new Answer(status, "text/plain; charset=utf-8", message);
    }
}
