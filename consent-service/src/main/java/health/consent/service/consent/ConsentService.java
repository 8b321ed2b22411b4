package health.consent.service.consent;

import health.consent.model.ApplicationId;
import health.consent.model.ChangeOutcome;
import health.consent.model.ChangeRefusal;
import health.consent.model.ConsentChange;
import health.consent.model.ConsentEvent;
import health.consent.model.PatientConsents;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.PurposeConsent;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.Catalogue.DeclaredPurpose;
import health.consent.service.catalogue.CatalogueRepository;
import health.consent.service.catalogue.DeclarationCache;
import health.consent.service.consent.ConsentRepository.Stored;
import health.consent.service.consent.ConsentViews.ChangeResult;
import health.consent.service.consent.ConsentViews.ConsentView;
import health.consent.service.consent.ConsentViews.Erasure;
import health.consent.service.consent.ConsentViews.HistoryEvent;
import health.consent.service.purge.PurgeRepository;
import health.consent.service.purge.PurgeService;
import health.consent.service.consent.ConsentViews.NoticeVersion;
import health.consent.service.consent.ConsentRepository.Key;
import health.consent.service.db.Clock;
import health.consent.service.db.GroupCommit;
import health.consent.service.db.Paging;
import health.consent.service.db.Transactions;
import health.consent.service.events.ConsentChanged;
import health.consent.service.events.ConsentsChanged;
import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import health.consent.service.security.Callers.PatientCaller;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A patient's consents: reading them, changing them, and their history. The rules are the
 * model's ({@link PatientConsents}); this service loads the aggregate, stores the events it
 * produces, and publishes the change.
 */
@Singleton
public class ConsentService {

    /** Attempts at a change when two first decisions race to insert the same row. */
    private static final int ATTEMPTS = 3;
    /** The most changes in one group (one transaction). */
    private static final int MAX_GROUP = 64;

    private final Transactions transactions;
    private final ConsentRepository consents;
    private final CatalogueRepository catalogue;
    private final DeclarationCache declarations;
    private final PurgeService purges;
    private final PurgeRepository purgeRows;
    private final GroupCommit<Request, Result<ChangeResult>> writes;

    /**
     * @param committers how many groups of changes are written at once ({@code consent.writes.committers},
     *                   1 by default), each on one pooled connection. One committer lets the changes that
     *                   arrive while a group is written form the next group, as large as they come: on two
     *                   cores, groups four times as large as with four committers, and the most changes a
     *                   second for the least CPU (BENCHMARKS.md, "How many committers"). More committers
     *                   overlap groups, for a database far away or rows often locked by other writers.
     * @param maxWait    how long a change may wait for a committer ({@code consent.writes.max-wait});
     *                   by default ({@code 0s}) as long as a request may wait for a pooled connection
     *                   ({@code poolTimeoutMillis}), after which it is answered 503 the same way
     */
    public ConsentService(Transactions transactions, ConsentRepository consents, CatalogueRepository catalogue,
                          DeclarationCache declarations, PurgeService purges, PurgeRepository purgeRows,
                          MeterRegistry meters, @Value("${consent.writes.committers:1}") int committers,
                          @Value("${datasources.default.connection-timeout:2000}") long poolTimeoutMillis,
                          @Value("${consent.writes.max-wait:0s}") Duration maxWait) {
        this.transactions = transactions;
        this.purges = purges;
        this.purgeRows = purgeRows;
        this.consents = consents;
        this.catalogue = catalogue;
        this.declarations = declarations;
        DistributionSummary groups = DistributionSummary.builder("consent.writes.group")
                .description("Consent changes written by one transaction (group commit)").register(meters);
        this.writes = new GroupCommit<>("consent-writes", committers, MAX_GROUP,
                maxWait.isZero() ? Duration.ofMillis(poolTimeoutMillis) : maxWait,
                this::changeAll, request -> changeAll(List.of(request)).get(0), groups::record);
        Gauge.builder("consent.writes.waiting", writes, GroupCommit::waiting)
                .description("Consent changes waiting for a transaction to take them").register(meters);
    }

    @PreDestroy
    void stop() {
        writes.close();
    }

    /** One row per (application, declared purpose) of the catalogue, decided or not. */
    public List<ConsentView> list(PatientCaller caller) {
        return transactions.read(() -> views(caller.patient(), catalogue.all(), consents.forPatient(caller.patient()),
                erasures(caller.patient())));
    }

    /**
     * Sets one purpose to GRANTED, REFUSED or WITHDRAWN. The change, its event, and the withdrawals
     * it causes are written in one transaction, with the changes other patients make meanwhile
     * (group commit); the answer completes once that transaction has committed, and no thread
     * waits for it meanwhile.
     */
    public CompletableFuture<Result<ChangeResult>> change(PatientCaller caller, ApplicationId applicationId,
                                                         ConsentChange change) {
        return writes.submit(new Request(caller, applicationId, change));
    }

    /** A patient's change of one purpose of one application, waiting to be written. */
    private record Request(PatientCaller caller, ApplicationId application, ConsentChange change) {
    }

    /** A change the rules allowed, with the state it was applied to and where its events start in the group's. */
    private record Applied(Request request, Application application, PatientConsents before,
                           ChangeOutcome.Applied outcome, int firstEvent) {
    }

    /**
     * Changes in one transaction, again when a first decision raced another transaction to insert the
     * same row (the second attempt finds it, under its lock).
     */
    private List<Result<ChangeResult>> changeAll(List<Request> requests) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transactions.write(() -> applyAll(requests));
            } catch (RuntimeException e) {
                if (!Transactions.isUniqueViolation(e) || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Applies a group of changes in the current transaction, in their order (a patient's second
     * change of the group applies to the state after the first): one statement locks every
     * (patient, application) concerned, then each kind of row is written for the whole group at
     * once. Answers in the order of the requests.
     */
    private List<Result<ChangeResult>> applyAll(List<Request> requests) {
        // Each application looked up once: the group applies what it locked for.
        Map<ApplicationId, Application> applications = new HashMap<>();
        Set<Key> keys = new LinkedHashSet<>();
        for (Request r : requests) {
            Application application = applications.computeIfAbsent(r.application(),
                    id -> declarations.find(id).orElse(null));
            if (application != null) {
                keys.add(new Key(r.caller().patient(), r.application()));
            }
        }
        // The erasures owed before the group, read with the lock: on PostgreSQL in the same round trip.
        ConsentRepository.Locked<PurgeRepository.Obligation> read = keys.isEmpty()
                ? new ConsentRepository.Locked<>(Map.of(), List.of())
                : consents.lockForApplications(keys,
                        purgeRows.ofPatientsRead(keys.stream().map(Key::patient).collect(Collectors.toSet())));
        Map<Key, List<PurposeConsent>> locked = read.decisions();
        Map<PatientId, Map<String, Erasure>> erasures = latest(read.alongside());
        Map<Key, PatientConsents> current = new HashMap<>();
        List<Result<ChangeResult>> results = new ArrayList<>(requests.size());
        List<Applied> applied = new ArrayList<>();
        List<ConsentEvent> events = new ArrayList<>();
        for (Request r : requests) {
            PatientId patient = r.caller().patient();
            Application application = applications.get(r.application());
            Key key = new Key(patient, r.application());
            PatientConsents before = current.computeIfAbsent(key, k -> PatientConsents.of(patient, r.application(),
                    application == null ? null : application.terms(),
                    application == null ? List.of() : locked.getOrDefault(k, List.of())));
            ChangeOutcome outcome = before.change(r.change(), r.caller().decidedBy(), Clock.now());
            if (outcome instanceof ChangeOutcome.Refused refused) {
                results.add(Result.refused(refusal(refused.refusal())));
                continue;
            }
            ChangeOutcome.Applied change = (ChangeOutcome.Applied) outcome;
            current.put(key, change.after());
            applied.add(new Applied(r, application, before, change, events.size()));
            events.addAll(change.events());
            results.add(null);
        }
        // Each answer adds to the erasures owed before the group those of the changes before it and its own.
        List<ConsentChanged> changed = record(applied, events);
        for (int i = 0, a = 0; i < results.size(); i++) {
            if (results.get(i) == null) {
                results.set(i, Result.ok(answer(applied.get(a), changed.get(a), erasures)));
                a++;
            }
        }
        return results;
    }

    /** A change's answer; {@code erasures} gain the ones it made owed. */
    private static ChangeResult answer(Applied applied, ConsentChanged changed,
                                       Map<PatientId, Map<String, Erasure>> erasures) {
        Application application = applied.application();
        PatientConsents after = applied.outcome().after();
        Map<String, Erasure> mine = erasures.computeIfAbsent(after.patient(), p -> new HashMap<>());
        for (ConsentEvent e : changed.events()) {
            String owed = changed.purgeOf(e);
            if (owed != null) {
                mine.put(e.application() + "/" + e.purpose(), new Erasure(owed, e.at(), null));
            }
        }
        ConsentView view = ConsentView.of(application,
                application.purpose(applied.request().change().purpose()).orElseThrow(), after, mine);
        List<ConsentView> cascaded = changed.events().stream().filter(ConsentEvent::isCascade)
                .map(e -> ConsentView.of(application, application.purpose(e.purpose()).orElseThrow(), after, mine))
                .toList();
        return new ChangeResult(view, cascaded);
    }

    /**
     * Ends a time-boxed grant whose time has come, if it still is one: under the same lock as a
     * patient's change, so that instances racing to expire it record one event between them.
     * Returns how many events were recorded.
     */
    public int expire(PatientId patient, ApplicationId applicationId, Purpose purpose) {
        return transactions.write(() -> {
            Application application = declarations.find(applicationId).orElse(null);
            if (application == null) {
                return 0;
            }
            Key key = new Key(patient, applicationId);
            PatientConsents before = PatientConsents.of(patient, applicationId, application.terms(),
                    consents.lockForApplications(List.of(key)).get(key));
            ChangeOutcome.Applied applied = (ChangeOutcome.Applied) before.expire(purpose, Clock.now());
            record(List.of(new Applied(null, application, before, applied, 0)), applied.events());
            return applied.events().size();
        });
    }

    /**
     * Stores applied changes (their {@code events}, in order): each decision's next version, each
     * event (cascades point to the first event of their change), the purge obligations they
     * create; publishes them as one group. Returns each change as published.
     */
    private List<ConsentChanged> record(List<Applied> applied, List<ConsentEvent> events) {
        List<ConsentRepository.Save> saves = new ArrayList<>(events.size());
        int[] causes = new int[events.size()];
        for (Applied a : applied) {
            PatientConsents after = a.outcome().after();
            List<ConsentEvent> own = a.outcome().events();
            for (int i = 0; i < own.size(); i++) {
                ConsentEvent e = own.get(i);
                saves.add(new ConsentRepository.Save(after.patient(), after.application(), a.before().consent(e.purpose()),
                        after.consent(e.purpose())));
                causes[a.firstEvent() + i] = e.isCascade() ? a.firstEvent() : -1;
            }
        }
        List<ConsentEvent> stored = consents.saveAndAppend(saves, events, causes);
        Map<Long, String> owed = purges.oweAll(stored);
        List<ConsentChanged> changed = new ArrayList<>(applied.size());
        for (Applied a : applied) {
            List<ConsentEvent> own = stored.subList(a.firstEvent(), a.firstEvent() + a.outcome().events().size());
            Map<Long, String> ownPurges = new HashMap<>();
            own.forEach(e -> {
                if (owed.containsKey(e.seq())) {
                    ownPurges.put(e.seq(), owed.get(e.seq()));
                }
            });
            changed.add(new ConsentChanged(a.outcome().after(), own, ownPurges));
        }
        // A change that changed nothing (the same state again) recorded no event: nobody hears of it.
        List<ConsentChanged> published = changed.stream().filter(c -> !c.events().isEmpty()).toList();
        if (!published.isEmpty()) {
            transactions.publish(new ConsentsChanged(published));
        }
        return changed;
    }

    /** The model's refusal as the service's: what does not exist, what the version forbids, what the rules forbid. */
    private static Refusal refusal(ChangeRefusal refusal) {
        return switch (refusal.kind()) {
            case UNKNOWN_APPLICATION, PURPOSE_NOT_DECLARED -> Refusal.notFound(refusal.message());
            case STALE_VERSION -> Refusal.stale(refusal.message());
            case APPLICATION_SUSPENDED -> Refusal.conflict("application-suspended", refusal.message());
            case NOT_A_DECISION -> Refusal.conflict("not-a-decision", refusal.message());
            case NOTICE_NOT_CURRENT -> Refusal.conflict("notice-not-current", refusal.message());
            case SECONDARY_REQUIRES_CARE -> Refusal.conflict("care-not-granted", refusal.message());
            case NOTHING_TO_WITHDRAW -> Refusal.conflict("nothing-to-withdraw", refusal.message());
            case INVALID_EXPIRY -> Refusal.invalid(List.of(new Refusal.Field("expiresAt", refusal.message())));
        };
    }

    public Paging<HistoryEvent> history(PatientCaller caller, Paging.Request page) {
        PatientId patient = caller.patient();
        return transactions.read(() -> Paging.of(consents.history(patient, page.size(), page.offset()).stream()
                .map(HistoryEvent::of).toList(), page, consents.countHistory(patient)));
    }

    /** The latest erasure owed per application and purpose ("app/PURPOSE"). */
    private Map<String, Erasure> erasures(PatientId patient) {
        return erasures(List.of(patient)).getOrDefault(patient, Map.of());
    }

    /** Each patient's latest erasure owed per application and purpose ("app/PURPOSE"), in one statement. */
    private Map<PatientId, Map<String, Erasure>> erasures(Collection<PatientId> patients) {
        return latest(purgeRows.ofPatients(patients));
    }

    /** The latest of these obligations (each patient's oldest first) per patient, application and purpose. */
    private static Map<PatientId, Map<String, Erasure>> latest(List<PurgeRepository.Obligation> obligations) {
        Map<PatientId, Map<String, Erasure>> latest = new HashMap<>();
        for (var o : obligations) {
            latest.computeIfAbsent(PatientId.of(o.patientId()), p -> new HashMap<>())
                    .put(o.applicationId() + "/" + o.purpose(), new Erasure(o.id(), o.createdAt(), o.confirmedAt()));
        }
        return latest;
    }

    private static List<ConsentView> views(PatientId patient, List<Application> applications, List<Stored> stored,
                                           Map<String, Erasure> erasures) {
        Map<ApplicationId, List<PurposeConsent>> byApplication = new HashMap<>();
        for (Stored s : stored) {
            byApplication.computeIfAbsent(s.application(), k -> new ArrayList<>()).add(s.consent());
        }
        List<ConsentView> rows = new ArrayList<>();
        for (Application a : applications) {
            ApplicationId id = ApplicationId.of(a.id());
            PatientConsents mine = PatientConsents.of(patient, id, a.terms(), byApplication.getOrDefault(id, List.of()));
            for (DeclaredPurpose d : a.purposes()) {
                rows.add(ConsentView.of(a, d, mine, erasures));
            }
        }
        return rows;
    }
}
