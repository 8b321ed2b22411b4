package health.consent.service.audit;

import health.consent.model.audit.Cosignature;
import health.consent.model.audit.SignedNote;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each new checkpoint to the witnesses of {@code AUDIT_WITNESSES} with its consistency
 * proof (c2sp.org/tlog-witness {@code add-checkpoint}), and keeps the cosignatures they return,
 * which {@code /log/checkpoint} serves after the operator's signature. A witness that is down or
 * refuses delays nothing: it is said in the log and counted ({@code consent_audit_witness_failures_total}),
 * and tried again ten seconds later.
 *
 * <p>{@code AUDIT_WITNESSES} is a comma-separated list of {@code <url> <verifier key>}; the
 * quorum ({@code AUDIT_WITNESS_QUORUM}, default all of them) is how many cosignatures a verifier
 * should require.
 */
@Singleton
public class Witnesses {

    private static final Logger LOG = LoggerFactory.getLogger(Witnesses.class);
    private static final int MAX_ANSWER = 16 * 1024;

    /** A configured witness: where it listens and its cosignature key. */
    record Witness(URI url, SignedNote.VerifierKey key) {
    }

    private final List<Witness> witnesses = new ArrayList<>();
    private final WitnessRepository repository;
    private final MerkleStore tree;
    private final MeterRegistry meters;
    /**
     * Built only when a witness is configured: a client starts a thread of its own and loads the
     * JDK's trust store, which a service without witnesses has no use for.
     */
    private final HttpClient http;
    /** The witnesses that failed, and when to try each again (nanoTime): a refusing witness is not asked at every pass. */
    private final Map<String, Long> failing = new ConcurrentHashMap<>();
    private final long retryNanos;
    /** The size each witness is known to have cosigned, so that a pass with nothing new asks nothing of the database. */
    private final Map<String, Long> cosignedSize = new ConcurrentHashMap<>();

    public Witnesses(@Value("${consent.audit.witnesses:}") String configured,
                     @Value("${consent.audit.witness-quorum:0}") int quorum,
                     @Value("${consent.audit.witness-retry:10s}") Duration retry, WitnessRepository repository,
                     MerkleStore tree, MeterRegistry meters) {
        for (String entry : configured.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.trim().split("\\s+");
            try {
                if (parts.length != 2) {
                    throw new IllegalArgumentException("an entry is <url> <verifier key>");
                }
                SignedNote.VerifierKey key = SignedNote.VerifierKey.parse(parts[1]);
                if (key.type() != Cosignature.TYPE) {
                    throw new IllegalArgumentException("a witness's key is a cosignature key (type 0x04)");
                }
                URI url = URI.create(parts[0].endsWith("/") ? parts[0] : parts[0] + "/");
                if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                    throw new IllegalArgumentException("a witness's URL is http or https");
                }
                witnesses.add(new Witness(url, key));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("AUDIT_WITNESSES: '" + entry.trim() + "': " + e.getMessage());
            }
        }
        if (quorum < 0 || quorum > witnesses.size()) {
            throw new ConfigurationException("AUDIT_WITNESS_QUORUM must be between 1 and the number of witnesses, "
                    + witnesses.size());
        }
        this.http = witnesses.isEmpty() ? null
                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        this.retryNanos = retry.toNanos();
        this.repository = repository;
        this.tree = tree;
        this.meters = meters;
    }

    /** The configured witnesses' verifier keys. */
    public List<String> verifierKeys() {
        return witnesses.stream().map(w -> SignedNote.verifierKey(w.key().name(), Cosignature.TYPE, w.key().key()))
                .toList();
    }

    /** Whether any witness is configured. */
    boolean any() {
        return !witnesses.isEmpty();
    }

    /**
     * Each configured witness: the size it last cosigned, and whether it is failing now (when it will
     * be asked again). For the health endpoint's details.
     */
    public Map<String, Map<String, Object>> status() {
        Map<String, Map<String, Object>> status = new java.util.TreeMap<>();
        for (Witness w : witnesses) {
            String name = w.key().name();
            Map<String, Object> one = new java.util.LinkedHashMap<>();
            one.put("url", w.url().toString());
            one.put("cosignedSize", cosignedSize.get(name));
            one.put("state", failing.containsKey(name) ? "failing" : "cosigning");
            status.put(name, one);
        }
        return status;
    }

    /** The cosignature lines of the checkpoint of that size. */
    public List<String> cosignatures(long treeSize) {
        return repository.cosignatures(treeSize);
    }

    /** Sends the checkpoint to every witness that has not cosigned it yet. */
    void submit(CheckpointRepository.Published checkpoint) {
        SignedNote.Note note = checkpoint.note();
        long size = checkpoint.checkpoint().treeSize();
        for (Witness w : witnesses) {
            String name = w.key().name();
            Long retryAt = failing.get(name);
            boolean waiting = retryAt != null && System.nanoTime() - retryAt < 0;
            if (waiting || Long.valueOf(size).equals(cosignedSize.get(name))) {
                continue;
            }
            if (repository.hasCosigned(name, size)) {
                cosignedSize.put(name, size);
                continue;
            }
            try {
                submit(w, note, size, repository.size(name), true);
                cosignedSize.put(name, size);
                if (failing.remove(name) != null) {
                    LOG.info("Witness {} cosigns again", name);
                }
            } catch (RuntimeException e) {
                Counter.builder("consent.audit.witness.failures").tag("witness", name)
                        .description("Checkpoints a witness did not cosign").register(meters).increment();
                if (failing.put(name, System.nanoTime() + retryNanos) == null) {
                    LOG.warn("Witness {} did not cosign the checkpoint of {} leaves: {}", name, size, e.getMessage());
                }
            }
        }
    }

    private void submit(Witness w, SignedNote.Note note, long size, long old, boolean retry) {
        if (old > size) {
            throw new IllegalStateException("the witness has cosigned a larger tree (" + old + ") than this log's");
        }
        StringBuilder body = new StringBuilder("old ").append(old).append('\n');
        if (old > 0 && old < size) {
            for (byte[] hash : tree.consistencyProof(old, size)) {
                body.append(Base64.getEncoder().encodeToString(hash)).append('\n');
            }
        }
        body.append('\n').append(note.format());
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(w.url().resolve("add-checkpoint"))
                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        String answer = response.body().length() > MAX_ANSWER ? "" : response.body();
        if (response.statusCode() == 409 && retry && answer.matches("(0|[1-9][0-9]{0,18})\n")) {
            // The witness knows another size (a restart, a lost answer): go on from it.
            long known = Long.parseLong(answer.trim());
            repository.knownSize(w.key().name(), known);
            submit(w, note, size, known, false);
            return;
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("answered " + response.statusCode() + ": "
                    + answer.lines().findFirst().orElse(""));
        }
        SignedNote.Note cosigned = SignedNote.parse(note.text() + "\n" + answer);
        if (Cosignature.verify(cosigned, w.key()).isEmpty()) {
            throw new IllegalStateException("answered no valid cosignature");
        }
        String line = answer.lines().filter(l -> l.startsWith(SignedNote.DASH + w.key().name() + " ")).findFirst()
                .orElseThrow();
        repository.cosigned(w.key().name(), size, line + "\n");
    }
}
