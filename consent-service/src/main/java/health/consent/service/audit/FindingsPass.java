package health.consent.service.audit;

import health.consent.model.AccessRecord;
import health.consent.model.AccessorType;
import health.consent.model.ApplicationStatus;
import health.consent.model.ConsentEvent;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.compliance.ConsentTimeline;
import health.consent.model.compliance.FindingKind;
import health.consent.model.wire.AccessReport;
import health.consent.service.audit.FindingRepository.EventRef;
import health.consent.service.audit.FindingRepository.Finding;
import health.consent.service.access.AccessRecordRepository;
import health.consent.service.catalogue.CatalogueRepository;
import health.consent.service.consent.ConsentRepository;
import health.consent.service.db.BackgroundPass;
import health.consent.service.db.BackgroundWork;
import health.consent.service.db.Clock;
import health.consent.service.db.Transactions;
import health.consent.service.purge.PurgeRepository;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges every access record once it is in the audit log, and keeps what is wrong as findings, so
 * that a regulator's query reads an index instead of scanning the trail. One pass at a time across
 * instances (the cursor's row lock); records are judged in the log's order.
 *
 * <p>A record is judged once its access time is {@code consent.findings.settle} in the past, so that
 * every consent event up to that time is committed and in the log: a record dated ahead (up to the
 * five minutes ingestion allows) waits, and the records after it with it.
 */
@Singleton
public class FindingsPass implements BackgroundWork {

    private static final Logger LOG = LoggerFactory.getLogger(FindingsPass.class);
    static final int BATCH = 5_000;

    private final Transactions transactions;
    private final FindingRepository findings;
    private final AccessRecordRepository records;
    private final ConsentRepository events;
    private final CatalogueRepository catalogue;
    private final Duration staleness;
    private final Duration lateAfter;
    private final Duration settle;
    private final BackgroundPass pass;
    private final PurgeRepository purges;
    private final Duration purgeDelay;

    public FindingsPass(Transactions transactions, FindingRepository findings, AccessRecordRepository records,
                        ConsentRepository events, CatalogueRepository catalogue,
                        @Value("${consent.findings.staleness:30s}") Duration staleness,
                        @Value("${consent.findings.late-report-after:24h}") Duration lateAfter,
                        @Value("${consent.findings.settle:30s}") Duration settle,
                        @Value("${consent.findings.interval:5s}") Duration interval, PurgeRepository purges,
                        @Value("${consent.purges.overdue-after:30d}") Duration purgeDelay) {
        this.purges = purges;
        this.purgeDelay = purgeDelay;
        this.transactions = transactions;
        this.findings = findings;
        this.records = records;
        this.events = events;
        this.catalogue = catalogue;
        this.staleness = staleness;
        this.lateAfter = lateAfter;
        this.settle = settle;
        this.pass = new BackgroundPass("consent-findings", interval, Duration.ZERO, this::judgeAll, LOG);
    }

    @Override
    public BackgroundPass backgroundPass() {
        return pass;
    }

    /** Judges every settled record in the log; returns how many were judged. */
    public long judgeAll() {
        long total = 0;
        int judged;
        do {
            judged = transactions.write(this::judgeBatch);
            total += judged;
        } while (judged == BATCH);
        while (transactions.write(this::overduePurges) == BATCH) {
            // Keep going while there is a backlog.
        }
        return total;
    }

    /**
     * Erasures owed for longer than {@code consent.purges.overdue-after} and not confirmed: a finding
     * each, proven by the event that made the erasure owed (once it is in the log).
     */
    private int overduePurges() {
        findings.lockCursor();
        Instant now = Clock.now();
        List<PurgeRepository.Overdue> overdue = purges.overdue(now.minus(purgeDelay), BATCH);
        List<Finding> found = new ArrayList<>();
        for (PurgeRepository.Overdue o : overdue) {
            if (o.eventLeaf() == null) {
                continue;
            }
            var ob = o.obligation();
            found.add(new Finding(0, FindingKind.PURGE_OVERDUE, ob.applicationId(), ob.patientId(), ob.purpose().name(),
                    ob.id(), o.eventLeaf(), List.of(new EventRef(ob.eventSeq(), o.eventLeaf())), null,
                    "the erasure owed since " + ob.createdAt() + " was not confirmed within " + human(purgeDelay),
                    ob.createdAt(), now));
            purges.reportedOverdue(ob.id());
        }
        findings.insert(found);
        return found.size();
    }

    private int judgeBatch() {
        long cursor = findings.lockCursor();
        Instant settled = Clock.now().minus(settle);
        // A batch received after that holds records that are not settled, nearly always: not read yet.
        List<AccessRecord> batch = records.loggedAfter(cursor, BATCH, settled);
        int ready = 0;
        while (ready < batch.size() && !batch.get(ready).at().isAfter(settled)) {
            ready++;
        }
        if (ready == 0) {
            return 0;
        }
        List<AccessRecord> judged = batch.subList(0, ready);
        Catalogue history = new Catalogue(catalogue.publications(), catalogue.statusHistory());
        Map<String, List<ConsentEvent>> consentEvents = eventsFor(judged);
        List<Finding> found = new ArrayList<>();
        long last = cursor;
        Instant now = Clock.now();
        for (AccessRecord r : judged) {
            List<ConsentEvent> own = consentEvents.getOrDefault(key(r), List.of());
            if (own.stream().anyMatch(e -> e.leafIndex() == null && !e.at().isAfter(r.at()))) {
                break; // an event of its history is not in the log yet: judge it at the next pass
            }
            judge(r, own, history, now, found);
            last = r.leafIndex();
        }
        findings.insert(found);
        findings.moveCursor(last);
        return last == cursor ? 0 : ready;
    }

    private void judge(AccessRecord r, List<ConsentEvent> own, Catalogue history, Instant now, List<Finding> found) {
        if (r.accessorType() != AccessorType.APPLICATION) {
            return;
        }
        Duration delay = Duration.between(r.at(), r.receivedAt());
        if (delay.compareTo(lateAfter) > 0) {
            found.add(finding(FindingKind.LATE_REPORT, r, List.of(), null, "received " + human(delay)
                    + " after the access (the threshold is " + human(lateAfter) + ")", now));
        }
        if (r.outcome() != Outcome.PERMIT) {
            return;
        }
        NavigableMap<Instant, Integer> notices = history.notices(r.applicationId(), r.purpose());
        // Ingestion accepts records dated up to the clock skew before the application's registration.
        if (notices.floorEntry(r.at().plus(AccessReport.MAX_CLOCK_SKEW)) == null) {
            found.add(finding(FindingKind.UNDECLARED_PURPOSE, r, List.of(), null, notices.isEmpty()
                    ? r.purpose() + " is not a purpose the application declares"
                    : r.purpose() + " was declared only from " + notices.firstKey(), now));
            return;
        }
        Optional<Instant> suspended = history.suspendedSince(r.applicationId(), r.at());
        if (suspended.isPresent()) {
            found.add(finding(FindingKind.ACCESS_WHILE_SUSPENDED, r, List.of(), null,
                    "the application was suspended from " + suspended.get(), now));
            return;
        }
        if (r.purpose().isPrimary()) {
            return;
        }
        new ConsentTimeline(own, notices).check(r.at(), staleness).ifPresent(uncovered -> found.add(finding(
                FindingKind.ACCESS_WITHOUT_CONSENT, r, uncovered.proof(), uncovered.reason().name(),
                "the patient's consent to " + r.purpose() + " was " + uncovered.reason()
                        + " at the access and did not permit it at any time in the " + human(staleness) + " before",
                now)));
    }

    private static Finding finding(FindingKind kind, AccessRecord r, List<ConsentEvent> proof, String reason,
                                   String detail, Instant now) {
        List<EventRef> refs = proof.stream().map(e -> new EventRef(e.seq(), e.leafIndex())).toList();
        return new Finding(0, kind, r.applicationId(), r.patientId(), r.purpose() == null ? null : r.purpose().name(),
                r.id(), r.leafIndex(), refs, reason, detail, r.at(), now);
    }

    /** The consent events of the batch's secondary accesses, by patient, application and purpose: one query. */
    private Map<String, List<ConsentEvent>> eventsFor(List<AccessRecord> batch) {
        Set<String> patients = new HashSet<>();
        Instant until = batch.get(0).at();
        for (AccessRecord r : batch) {
            if (r.accessorType() == AccessorType.APPLICATION && r.outcome() == Outcome.PERMIT && r.purpose() != null
                    && r.purpose().isSecondary()) {
                patients.add(r.patientId());
            }
            until = r.at().isAfter(until) ? r.at() : until;
        }
        Map<String, List<ConsentEvent>> byKey = new HashMap<>();
        for (ConsentEvent e : events.secondaryEventsOf(patients, until)) {
            byKey.computeIfAbsent(e.patient().value() + "/" + e.application().value() + "/" + e.purpose(),
                    k -> new ArrayList<>()).add(e);
        }
        return byKey;
    }

    private static String key(AccessRecord r) {
        return r.patientId() + "/" + r.applicationId() + "/" + r.purpose();
    }

    static String human(Duration d) {
        if (d.toDays() >= 2) {
            return d.toDays() + " days";
        }
        if (d.toHours() >= 2) {
            return d.toHours() + " hours";
        }
        if (d.toMinutes() >= 2) {
            return d.toMinutes() + " minutes";
        }
        return d.toSeconds() + " seconds";
    }

    /** The catalogue's history, as the pass needs it: notices published and statuses taken, over time. */
    private static final class Catalogue {
        private final Map<String, NavigableMap<Instant, Integer>> notices = new HashMap<>();
        private final Map<String, NavigableMap<Instant, ApplicationStatus>> statuses = new HashMap<>();

        Catalogue(List<CatalogueRepository.Publication> publications, List<CatalogueRepository.StatusChange> changes) {
            for (var p : publications) {
                notices.computeIfAbsent(p.applicationId() + "/" + p.purpose(), k -> new TreeMap<>())
                        .merge(p.at(), p.version(), Math::max);
            }
            for (var c : changes) {
                statuses.computeIfAbsent(c.applicationId(), k -> new TreeMap<>()).put(c.at(), c.status());
            }
        }

        NavigableMap<Instant, Integer> notices(String application, Purpose purpose) {
            return notices.getOrDefault(application + "/" + purpose, new TreeMap<>());
        }

        /** When the application's suspension in force at {@code at} began, if it was suspended then. */
        Optional<Instant> suspendedSince(String application, Instant at) {
            var history = statuses.get(application);
            var entry = history == null ? null : history.floorEntry(at);
            return entry != null && entry.getValue() == ApplicationStatus.SUSPENDED
                    ? Optional.of(entry.getKey()) : Optional.empty();
        }
    }
}
