package health.consent.service.audit;

import health.consent.model.ConsentEvent;
import health.consent.model.audit.AuditLeaves;
import health.consent.model.audit.Checkpoint;
import health.consent.model.audit.Merkle;
import health.consent.model.audit.SignedNote;
import health.consent.service.access.AccessRecordRepository;
import health.consent.service.consent.ConsentRepository;
import health.consent.service.db.Clock;
import health.consent.service.db.BackgroundPass;
import health.consent.service.db.BackgroundWork;
import health.consent.service.db.Transactions;
import health.consent.service.events.AccessRecorded;
import health.consent.service.events.Committed;
import health.consent.service.events.ConsentChanged;
import io.micronaut.context.annotation.Value;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only, tamper-evident log. Consent events and access records are written as usual;
 * the appender, one run at a time across instances (the {@code audit_log} row lock), takes the
 * ones not yet in the log from their stores and extends the tree with their leaves, in batches:
 * it hashes a consent event's canonical form and numbers the event; an access record was hashed
 * when it was stored, with the others of its request, into a batch that the appender numbers as a
 * whole. Checkpoints are signed every interval when the log grew, and on demand.
 */
@Singleton
public class AuditLog implements BackgroundWork {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final int BATCH = 10_000;
    /** How long a pass waits for more writes once woken by one. */
    private static final long COALESCE_MILLIS = 20;

    private final Transactions transactions;
    private final ConsentRepository consentEvents;
    private final AccessRecordRepository accessRecords;
    private final MerkleStore tree;
    private final CheckpointRepository checkpoints;
    private final AuditSigner signer;
    private final Witnesses witnesses;
    private final long checkpointNanos;
    private final BackgroundPass pass;
    private long lastCheckpoint = System.nanoTime();

    private static final long GAUGE_NANOS = 5_000_000_000L;
    private final java.util.concurrent.atomic.AtomicLong backlog = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong latestCheckpointAt = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastGauges = System.nanoTime() - GAUGE_NANOS;

    public AuditLog(Transactions transactions, ConsentRepository consentEvents, AccessRecordRepository accessRecords,
                    MerkleStore tree, CheckpointRepository checkpoints, AuditSigner signer, Witnesses witnesses,
                    @Value("${consent.audit.append-interval:200ms}") Duration appendInterval,
                    @Value("${consent.audit.checkpoint-interval:60s}") Duration checkpointInterval,
                    io.micrometer.core.instrument.MeterRegistry meters) {
        this.transactions = transactions;
        io.micrometer.core.instrument.Gauge.builder("consent.audit.backlog", backlog, java.util.concurrent.atomic.AtomicLong::get)
                .description("Consent events and access records not yet in the audit log").register(meters);
        io.micrometer.core.instrument.Gauge.builder("consent.audit.checkpoint.age.seconds", latestCheckpointAt,
                        at -> at.get() == 0 ? Double.NaN : Clock.now().getEpochSecond() - at.get())
                .description("Seconds since the latest signed checkpoint").register(meters);
        this.consentEvents = consentEvents;
        this.accessRecords = accessRecords;
        this.tree = tree;
        this.checkpoints = checkpoints;
        this.signer = signer;
        this.witnesses = witnesses;
        this.checkpointNanos = checkpointInterval.toNanos();
        this.pass = new BackgroundPass("consent-audit-log", appendInterval, Duration.ofMillis(COALESCE_MILLIS),
                this::runPass, LOG);
    }

    @Override
    public BackgroundPass backgroundPass() {
        return pass;
    }

    /** Something was written that belongs in the log: append it soon. */
    @EventListener
    void committed(Committed committed) {
        if (committed.has(ConsentChanged.class) || committed.has(AccessRecorded.class)) {
            pass.wake();
        }
    }

    /** Appends everything written so far; returns the log's size. */
    public long appendAll() {
        while (appendBatch() >= BATCH) {
            // Keep going while there is a backlog.
        }
        return size();
    }

    public long size() {
        return tree.size();
    }

    /** Signs a checkpoint of the whole log as it is now (appending what is pending first). */
    public Checkpoint publish() {
        long size = appendAll();
        Optional<Checkpoint> latest = latest();
        if (latest.isPresent() && latest.get().treeSize() == size) {
            return latest.get();
        }
        byte[] root = tree.root(size);
        Checkpoint c = signer.sign(size, Merkle.hex(root), Clock.now());
        checkpoints.insert(c, signer.origin(), signer.signNote(SignedNote.checkpointText(signer.origin(), size, root)));
        return latest().orElse(c);
    }

    /** The latest checkpoint as a C2SP signed note, publishing one first if none exists. */
    public CheckpointRepository.Published latestPublished() {
        return checkpoints.latestPublished().orElseGet(() -> {
            publish();
            return checkpoints.latestPublished().orElseThrow();
        });
    }

    public Optional<Checkpoint> latest() {
        return checkpoints.latest();
    }

    private int appendBatch() {
        return transactions.write(() -> {
            long size = tree.lockSize();
            List<ConsentEvent> events = consentEvents.unlogged(BATCH);
            List<AccessRecordRepository.Batch> batches = events.size() < BATCH
                    ? accessRecords.unloggedBatches(BATCH - events.size()) : List.of();
            if (events.isEmpty() && batches.isEmpty()) {
                return 0;
            }
            List<byte[]> hashes = new ArrayList<>(BATCH);
            List<Object[]> eventLeaves = new ArrayList<>(events.size());
            List<Object[]> batchLeaves = new ArrayList<>(batches.size());
            long index = size;
            for (ConsentEvent e : events) {
                hashes.add(AuditLeaves.hash(AuditLeaves.consentEvent(e)));
                eventLeaves.add(new Object[] {index++, e.seq()});
            }
            // An access record's leaf was hashed when it was stored: its batch holds the hashes in order.
            for (AccessRecordRepository.Batch b : batches) {
                batchLeaves.add(new Object[] {index, b.id()});
                for (int i = 0; i < b.leafCount(); i++) {
                    hashes.add(b.leaf(i));
                }
                index += b.leafCount();
            }
            consentEvents.logged(eventLeaves);
            accessRecords.numbered(batchLeaves);
            tree.append(size, hashes);
            return hashes.size();
        });
    }

    /**
     * One pass: append what was written, sign a checkpoint when the interval has passed, and send
     * the latest checkpoint to the witnesses that have not cosigned it.
     */
    private void runPass() {
        appendAll();
        if (System.nanoTime() - lastGauges >= GAUGE_NANOS) {
            // What operators watch, measured here at most every few seconds rather than at each scrape.
            backlog.set(transactions.read(() -> consentEvents.countUnlogged() + accessRecords.countUnlogged()));
            latest().ifPresent(c -> latestCheckpointAt.set(c.at().getEpochSecond()));
            lastGauges = System.nanoTime();
        }
        if (System.nanoTime() - lastCheckpoint >= checkpointNanos) {
            publish();
            lastCheckpoint = System.nanoTime();
        }
        if (witnesses.any()) {
            checkpoints.latestPublished().ifPresent(witnesses::submit);
        }
    }
}
