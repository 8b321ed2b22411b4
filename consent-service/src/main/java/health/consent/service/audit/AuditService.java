package health.consent.service.audit;

import health.consent.model.AccessRecord;
import health.consent.model.ConsentEvent;
import health.consent.model.ConsentState;
import health.consent.model.PatientId;
import health.consent.model.audit.Merkle;
import health.consent.service.access.AccessRecordRepository;
import health.consent.service.access.RegulatorReads;
import health.consent.service.audit.AuditViews.AuditAccessRecord;
import health.consent.service.audit.AuditViews.AuditConsentEvent;
import health.consent.service.audit.AuditViews.AuditFinding;
import health.consent.service.audit.AuditViews.FindingsPage;
import health.consent.service.audit.AuditViews.ConsentRate;
import health.consent.service.audit.AuditViews.ConsistencyProof;
import health.consent.service.audit.AuditViews.InclusionProof;
import health.consent.service.audit.AuditViews.MonthlyConsent;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.Catalogue.DeclaredPurpose;
import health.consent.service.catalogue.CatalogueService;
import health.consent.service.consent.ConsentRepository;
import health.consent.service.db.Filters;
import health.consent.service.db.Paging;
import health.consent.service.db.Transactions;
import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import health.consent.service.security.Callers.RegulatorCaller;
import jakarta.inject.Singleton;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The regulator's reads: the audit trail, proofs of the log, and the reports. */
@Singleton
public class AuditService {

    static final int MAX_PAGE = 1_000;
    /** Findings are counted up to this many: beyond, {@code totalExact} is false (narrow the query). */
    static final long COUNT_CAP = 10_000;

    private final Transactions transactions;
    private final AccessRecordRepository accessRecords;
    private final ConsentRepository consentEvents;
    private final AuditLog log;
    private final MerkleStore tree;
    private final CatalogueService catalogue;
    private final FindingRepository findings;
    private final RegulatorReads regulatorReads;

    public AuditService(Transactions transactions, AccessRecordRepository accessRecords,
                        ConsentRepository consentEvents, AuditLog log, MerkleStore tree, CatalogueService catalogue,
                        FindingRepository findings, RegulatorReads regulatorReads) {
        this.findings = findings;
        this.regulatorReads = regulatorReads;
        this.transactions = transactions;
        this.accessRecords = accessRecords;
        this.consentEvents = consentEvents;
        this.log = log;
        this.tree = tree;
        this.catalogue = catalogue;
    }

    /** A regulator's question: the filters, and the reason given, which each patient read will see. */
    public record TrailQuery(RegulatorCaller regulator, Filters filters, String reason, Paging.Request page) {
    }

    /**
     * Access records matching the query, read from the replica when there is one. The answer is
     * given only once the read is recorded: each patient whose rows are answered has the read in
     * their log, or nothing is answered.
     */
    public Paging<AuditAccessRecord> accessRecords(TrailQuery query) {
        List<AccessRecord> rows = new ArrayList<>();
        long total = transactions.lagging(() -> {
            rows.clear();
            AccessRecordRepository.Found found = accessRecords.find(query.filters(), query.page());
            rows.addAll(found.items());
            return found.total();
        });
        transactions.write(() -> {
            recordRegulatorRead(query.regulator(), query.filters().patientId(), query.reason(), "access-records",
                    rows.stream().map(AccessRecord::patientId));
            return null;
        });
        return Paging.of(rows.stream().map(AuditAccessRecord::of).toList(), query.page(), total);
    }

    /** Consent events matching the query, read and recorded as {@link #accessRecords} are. */
    public Paging<AuditConsentEvent> consentEvents(TrailQuery query) {
        List<ConsentEvent> rows = new ArrayList<>();
        long total = transactions.lagging(() -> {
            rows.clear();
            rows.addAll(consentEvents.trail(query.filters(), query.page()));
            return consentEvents.countTrail(query.filters());
        });
        transactions.write(() -> {
            recordRegulatorRead(query.regulator(), query.filters().patientId(), query.reason(), "consent-events",
                    rows.stream().map(e -> e.patient().value()));
            return null;
        });
        return Paging.of(rows.stream().map(AuditConsentEvent::of).toList(), query.page(), total);
    }

    /** A regulator's question about findings, with the reason each patient named will see. */
    public record FindingsQuery(RegulatorCaller regulator, FindingRepository.Query query, String reason,
                                Paging.Request page) {
    }

    /**
     * The findings matching the query, newest access first. Findings name patients: the read is
     * recorded in each one's log, as the trail's reads are.
     */
    public FindingsPage findings(FindingsQuery q) {
        List<FindingRepository.Finding> rows = new ArrayList<>();
        long counted = transactions.lagging(() -> {
            rows.clear();
            rows.addAll(findings.find(q.query(), q.page()));
            return findings.count(q.query(), COUNT_CAP);
        });
        transactions.write(() -> {
            recordRegulatorRead(q.regulator(), null, q.reason(), "findings",
                    rows.stream().map(FindingRepository.Finding::patientId));
            return null;
        });
        Paging<AuditFinding> page = Paging.of(rows.stream().map(AuditFinding::of).toList(), q.page(),
                Math.min(counted, COUNT_CAP));
        return new FindingsPage(page.items(), page.page(), page.size(), page.totalItems(), page.totalPages(),
                counted <= COUNT_CAP);
    }

    /** One access record per patient read (the patient named by the query, or those whose rows are answered). */
    private void recordRegulatorRead(RegulatorCaller regulator, PatientId named, String reason, String category,
                                     Stream<String> patientsRead) {
        Set<String> patients = new LinkedHashSet<>();
        if (named != null) {
            patients.add(named.value());
        }
        patientsRead.forEach(patients::add);
        regulatorReads.record(regulator, patients.stream().map(PatientId::of).toList(), category, reason);
    }

    /** Decisions made each month, by application and purpose: the trend behind the rates. */
    public List<MonthlyConsent> monthlyConsents() {
        return transactions.lagging(() -> {
            Map<String, long[]> byKey = new java.util.TreeMap<>();
            for (ConsentRepository.MonthlyChanges m : consentEvents.monthlyChanges()) {
                String key = String.format("%04d-%02d", m.year(), m.month()) + "/" + m.applicationId() + "/" + m.purpose();
                long[] counts = byKey.computeIfAbsent(key, k -> new long[3]);
                switch (m.state()) {
                    case GRANTED -> counts[0] += m.count();
                    case REFUSED -> counts[1] += m.count();
                    case WITHDRAWN -> counts[2] += m.count();
                    default -> { }
                }
            }
            List<MonthlyConsent> months = new ArrayList<>();
            byKey.forEach((key, c) -> {
                String[] parts = key.split("/");
                months.add(new MonthlyConsent(parts[0], parts[1], health.consent.model.Purpose.valueOf(parts[2]),
                        c[0], c[1], c[2]));
            });
            return months;
        });
    }

    public List<ConsentRate> consentRates() {
        return transactions.lagging(() -> {
            Map<String, Long> counts = consentEvents.countsByState();
            Map<String, Long> patients = consentEvents.patientsByApplication();
            List<ConsentRate> rates = new ArrayList<>();
            for (Application a : catalogue.all()) {
                long population = patients.getOrDefault(a.id(), 0L);
                for (DeclaredPurpose d : a.purposes()) {
                    String key = a.id() + "/" + d.purpose() + "/";
                    long granted = counts.getOrDefault(key + ConsentState.GRANTED, 0L);
                    long refused = counts.getOrDefault(key + ConsentState.REFUSED, 0L);
                    long withdrawn = counts.getOrDefault(key + ConsentState.WITHDRAWN, 0L);
                    rates.add(new ConsentRate(a.id(), a.name(), d.purpose(), granted, refused, withdrawn,
                            population - granted - refused - withdrawn, population));
                }
            }
            return rates;
        });
    }

    /** Proof that leaf {@code leaf} is in the tree of {@code treeSize} leaves (the whole log when null). */
    public Result<InclusionProof> inclusion(Long leaf, Long treeSize) {
        List<Refusal.Field> problems = new ArrayList<>();
        long size = log.size();
        long n = treeSize == null ? size : treeSize;
        if (treeSize != null && (treeSize < 1 || treeSize > size)) {
            problems.add(new Refusal.Field("treeSize", "must be between 1 and the log's size, " + size));
        }
        if (leaf == null) {
            problems.add(new Refusal.Field("leaf", "is required"));
        } else if (leaf < 0 || leaf >= n) {
            problems.add(new Refusal.Field("leaf", "must be between 0 and treeSize - 1"));
        }
        if (!problems.isEmpty()) {
            return Result.refused(Refusal.invalid(problems));
        }
        return Result.ok(new InclusionProof(leaf, n, Merkle.hex(tree.leaf(leaf)), hex(tree.inclusionProof(leaf, n))));
    }

    /** Proof that the tree of {@code from} leaves is a prefix of the tree of {@code to} leaves. */
    public Result<ConsistencyProof> consistency(Long from, Long to) {
        List<Refusal.Field> problems = new ArrayList<>();
        long size = log.size();
        if (to == null || to < 1 || to > size) {
            problems.add(new Refusal.Field("to", "must be between 1 and the log's size, " + size));
        }
        if (from == null || from < 1 || (to != null && from > to)) {
            problems.add(new Refusal.Field("from", "must be between 1 and to"));
        }
        if (!problems.isEmpty()) {
            return Result.refused(Refusal.invalid(problems));
        }
        return Result.ok(new ConsistencyProof(from, to, hex(tree.consistencyProof(from, to))));
    }

    private static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(Merkle::hex).toList();
    }
}
