package health.consent.service.retention;

import health.consent.service.access.AccessRecordRepository;
import health.consent.service.access.Retention;
import health.consent.service.audit.FindingRepository;
import health.consent.service.db.BackgroundPass;
import health.consent.service.db.BackgroundWork;
import health.consent.service.db.Clock;
import health.consent.service.db.Transactions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the access log for its legal period ({@code ACCESS_RECORD_RETENTION}), then erases it a
 * month at a time: a month goes once all of it is older than the period, that is once its last
 * day is. A record goes with its salt, so its leaf hash in the log, which stays, reveals nothing
 * any more; every other record's proof stays valid and the tree verifiable. Only records already
 * in the log and judged by the findings pass are erased (the others wait for them).
 *
 * <p>On PostgreSQL the log is partitioned by month: an expired month's partition is dropped,
 * and the partitions of this month and the next two are created ahead. Records in the default
 * partition (a month with no partition of its own) and, on H2, all records are deleted in batches.
 * Then the rows that numbered the erased records' batches go too, once no record refers to them.
 */
@Singleton
public class RetentionPass implements BackgroundWork {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionPass.class);
    private static final int BATCH = 10_000;
    private static final int MONTHS_AHEAD = 2;

    private final Transactions transactions;
    private final AccessRecordRepository records;
    private final FindingRepository findings;
    private final Retention retention;
    private final Counter erased;
    private final Counter prunedBatches;
    private final BackgroundPass pass;

    public RetentionPass(Transactions transactions, AccessRecordRepository records, FindingRepository findings,
                         Retention retention, MeterRegistry meters,
                         @Value("${consent.retention.interval:1h}") Duration interval) {
        this.transactions = transactions;
        this.records = records;
        this.findings = findings;
        this.retention = retention;
        this.erased = Counter.builder("consent.records.erased")
                .description("Access records erased, with their salts, at the end of their retention").register(meters);
        this.prunedBatches = Counter.builder("consent.records.batches.pruned")
                .description("Batches of access records deleted once all their records were erased").register(meters);
        this.pass = new BackgroundPass("consent-retention", interval, Duration.ZERO, this::run, LOG);
        pass.wake();
    }

    @Override
    public BackgroundPass backgroundPass() {
        return pass;
    }

    /** One pass: months ahead, then the expired ones. Returns how many records were erased. */
    public long run() {
        Instant now = Clock.now();
        YearMonth keptFrom = YearMonth.from(retention.cutoff(now).atOffset(ZoneOffset.UTC));
        long judged = transactions.read(findings::judgedUpTo);
        long total = 0;
        boolean partitioned = transactions.read(records::partitioned);
        if (partitioned) {
            YearMonth current = YearMonth.from(now.atOffset(ZoneOffset.UTC));
            for (int i = 0; i <= MONTHS_AHEAD; i++) {
                createMonth(current.plusMonths(i));
            }
            for (YearMonth month : transactions.read(records::months)) {
                if (month.isBefore(keptFrom)) {
                    total += drop(month, judged);
                }
            }
        }
        // On PostgreSQL only the default partition's records are deleted one by one: a month that
        // waits for its records to be logged and judged waits whole, to be dropped later.
        String table = partitioned ? AccessRecordRepository.DEFAULT_PARTITION : AccessRecordRepository.WHOLE_LOG;
        Instant before = keptFrom.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        for (String writer : transactions.read(() -> records.writers(table))) {
            int n;
            do {
                n = transactions.write(() -> records.eraseBefore(table, writer, before, judged, BATCH));
                total += n;
            } while (n == BATCH);
        }
        if (total > 0) {
            erased.increment(total);
        }
        // The batches whose records are all gone, now or at an earlier pass.
        int n;
        do {
            n = transactions.write(() -> records.pruneBatches(judged, BATCH));
            prunedBatches.increment(n);
        } while (n == BATCH);
        return total;
    }

    /** Drops an expired month's partition if it may go; returns how many records went. */
    private long drop(YearMonth month, long judged) {
        try {
            long dropped = transactions.write(() -> records.dropMonth(month, judged));
            if (dropped < 0) {
                LOG.info("Access records of {} are past their retention but not all in the log and judged yet; "
                        + "erased at a later pass", month);
                return 0;
            }
            LOG.info("Access records of {} erased with their salts at the end of their retention: {} records",
                    month, dropped);
            return dropped;
        } catch (RuntimeException e) {
            // Another instance dropping it at the same time, or a long read holding the log: next pass.
            LOG.warn("The access log's partition of {} could not be dropped now: {}", month, e.toString());
            return 0;
        }
    }

    private void createMonth(YearMonth month) {
        try {
            transactions.write(() -> {
                records.createMonth(month);
                return null;
            });
        } catch (RuntimeException e) {
            // The default partition holds records of that month: they stay there, erased by deletion.
            LOG.warn("Cannot create the access log's partition of {}: {}", month, e.toString());
        }
    }
}
