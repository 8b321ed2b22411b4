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
import health.consent.service.db.Clock;
import health.consent.service.db.Paging;
import health.consent.service.db.Transactions;
import health.consent.service.events.ConsentChanged;
import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import health.consent.service.security.Callers.PatientCaller;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A patient's consents: reading them, changing them, and their history. The rules are the
 * model's ({@link PatientConsents}); this service loads the aggregate, stores the events it
 * produces, and publishes the change.
 */
@Singleton
public class ConsentService {

    /** Attempts at a change when two first decisions race to insert the same row. */
    private static final int ATTEMPTS = 3;

    private final Transactions transactions;
    private final ConsentRepository consents;
    private final CatalogueRepository catalogue;
    private final DeclarationCache declarations;
    private final PurgeService purges;
    private final PurgeRepository purgeRows;

    public ConsentService(Transactions transactions, ConsentRepository consents, CatalogueRepository catalogue,
                          DeclarationCache declarations, PurgeService purges, PurgeRepository purgeRows) {
        this.transactions = transactions;
        this.purges = purges;
        this.purgeRows = purgeRows;
        this.consents = consents;
        this.catalogue = catalogue;
        this.declarations = declarations;
    }

    /** One row per (application, declared purpose) of the catalogue, decided or not. */
    public List<ConsentView> list(PatientCaller caller) {
        return transactions.read(() -> views(caller.patient(), catalogue.all(), consents.forPatient(caller.patient()),
                erasures(caller.patient())));
    }

    /**
     * Sets one purpose to GRANTED, REFUSED or WITHDRAWN. The change, its event, and the withdrawals
     * it causes are written in one transaction.
     */
    public Result<ChangeResult> change(PatientCaller caller, ApplicationId applicationId, ConsentChange change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transactions.write(() -> apply(caller, applicationId, change));
            } catch (RuntimeException e) {
                if (!Transactions.isUniqueViolation(e) || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private Result<ChangeResult> apply(PatientCaller caller, ApplicationId applicationId, ConsentChange change) {
        PatientId patient = caller.patient();
        Application application = declarations.find(applicationId).orElse(null);
        PatientConsents before = PatientConsents.of(patient, applicationId,
                application == null ? null : application.terms(),
                application == null ? List.of() : consents.lockForApplication(patient, applicationId));
        ChangeOutcome outcome = before.change(change, caller.decidedBy(), Clock.now());
        if (outcome instanceof ChangeOutcome.Refused refused) {
            return Result.refused(refusal(refused.refusal()));
        }
        ChangeOutcome.Applied applied = (ChangeOutcome.Applied) outcome;
        record(patient, applicationId, before, applied);
        PatientConsents after = applied.after();
        Map<String, Erasure> erasures = erasures(patient);
        ConsentView changed = ConsentView.of(application, application.purpose(change.purpose()).orElseThrow(), after,
                erasures);
        List<ConsentView> cascaded = applied.events().stream().filter(ConsentEvent::isCascade)
                .map(e -> ConsentView.of(application, application.purpose(e.purpose()).orElseThrow(), after, erasures))
                .toList();
        return Result.ok(new ChangeResult(changed, cascaded));
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
            PatientConsents before = PatientConsents.of(patient, applicationId, application.terms(),
                    consents.lockForApplication(patient, applicationId));
            ChangeOutcome.Applied applied = (ChangeOutcome.Applied) before.expire(purpose, Clock.now());
            record(patient, applicationId, before, applied);
            return applied.events().size();
        });
    }

    /** Stores an applied change: each decision's next version and its event (cascades point to their cause). */
    private void record(PatientId patient, ApplicationId applicationId, PatientConsents before,
                        ChangeOutcome.Applied applied) {
        List<ConsentEvent> stored = new ArrayList<>(applied.events().size());
        Map<Long, String> owed = new HashMap<>();
        Long cause = null;
        for (ConsentEvent event : applied.events()) {
            PurposeConsent after = applied.after().consent(event.purpose());
            consents.save(patient, applicationId, before.consent(event.purpose()), after);
            ConsentEvent saved = consents.append(event.stored(0, event.isCascade() ? cause : null, null));
            stored.add(saved);
            if (saved.createsPurgeObligation()) {
                owed.put(saved.seq(), purges.owe(saved));
            }
            if (cause == null) {
                cause = saved.seq();
            }
        }
        if (!stored.isEmpty()) {
            transactions.publish(new ConsentChanged(applied.after(), stored, owed));
        }
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
        Map<String, Erasure> latest = new HashMap<>();
        for (var o : purgeRows.ofPatient(patient)) {
            latest.put(o.applicationId() + "/" + o.purpose(), new Erasure(o.id(), o.createdAt(), o.confirmedAt()));
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
