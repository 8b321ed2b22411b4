package health.consent.service.access;

import health.consent.model.AccessRecord;
import health.consent.model.AccessorType;
import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.wire.AccessReport;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.CatalogueService;
import health.consent.service.catalogue.DeclarationCache;
import health.consent.service.db.Clock;
import health.consent.service.db.Filters;
import health.consent.service.db.Paging;
import health.consent.service.db.Transactions;
import health.consent.service.events.AccessRecorded;
import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What applications report they did with patients' data, and what patients read of it. A record's
 * id is chosen by the application (a UUID), so a batch sent again after a lost answer stores
 * nothing twice.
 */
@Singleton
public class AccessRecordService {

    /** How many records came, and how many were new. */
    @Serdeable
    public record Receipt(int received, int stored) {
    }

    /** A purpose in plain words. */
    @Serdeable
    public record Label(String fr, String en) {
    }

    /**
     * One access, as the patient reads it. {@code accessorType} is APPLICATION (then
     * {@code applicationName} is the catalogue's name) or REGULATOR (then {@code reason} says why they
     * looked). {@code leafIndex} is the record's leaf in the public log (null for a moment after it
     * is written): {@code GET /api/v1/me/proofs/{leafIndex}} proves it is there.
     */
    @Serdeable
    public record Entry(String id, Instant at, AccessorType accessorType, String applicationId, String applicationName,
                        String actor, Purpose purpose, Label purposeText, String dataCategory,
                        health.consent.model.Outcome outcome, String reason, Long leafIndex) {
    }

    private static final Map<Purpose, Label> PURPOSES = Map.of(
            Purpose.CARE, new Label("Vos soins", "Your care"),
            Purpose.STATISTICS, new Label("Statistiques et recherche", "Statistics and research"),
            Purpose.SERVICE_IMPROVEMENT, new Label("Amélioration du service", "Improving the service"),
            Purpose.COMMERCIALISATION, new Label("Utilisation commerciale", "Commercial use"));
    private static final Label SUPERVISION = new Label("Contrôle par l'autorité de santé",
            "Supervision by the health authority");

    private final Transactions transactions;
    private final AccessRecordRepository records;
    private final CatalogueService catalogue;
    private final DeclarationCache declarations;
    private final Retention retention;

    public AccessRecordService(Transactions transactions, AccessRecordRepository records, CatalogueService catalogue,
                               DeclarationCache declarations, Retention retention) {
        this.retention = retention;
        this.transactions = transactions;
        this.records = records;
        this.catalogue = catalogue;
        this.declarations = declarations;
    }

    /**
     * Stores a validated batch under the application that reported it. Only an application in the
     * catalogue and active may report (a suspended one is denied everything), and only accesses
     * made since it was registered: patients read these records, so none may come from nowhere;
     * and none older than the retention, past which records are erased.
     */
    public Result<Receipt> store(ApplicationId application, List<AccessReport> reports) {
        Application registered = declarations.find(application).orElse(null);
        if (registered == null) {
            return Result.refused(Refusal.forbidden("unknown-application",
                    "application '" + application + "' is not in the catalogue: it cannot report accesses"));
        }
        if (registered.status() == ApplicationStatus.SUSPENDED) {
            return Result.refused(Refusal.forbidden("application-suspended",
                    "application '" + application + "' is suspended: it may not process patients' data"));
        }
        Instant receivedAt = Clock.now();
        List<Refusal.Field> problems = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            String problem = AccessReport.timeProblem(reports.get(i).at(), receivedAt, registered.registeredAt());
            if (problem == null && reports.get(i).at().isBefore(retention.cutoff(receivedAt))) {
                problem = "is older than the retention of access records (" + retention.period()
                        + "), past which records are erased";
            }
            if (problem != null) {
                problems.add(new Refusal.Field("[" + i + "].at", problem));
            }
        }
        if (!problems.isEmpty()) {
            return Result.refused(Refusal.invalid(problems));
        }
        int stored = transactions.write(() -> {
            int n = records.insert(application, reports, receivedAt);
            transactions.publish(new AccessRecorded(n, reports.size() - n));
            return n;
        });
        return Result.ok(new Receipt(reports.size(), stored));
    }

    /** The patient's access log, newest first. */
    public Paging<Entry> log(PatientId patient, Filters filters, Paging.Request page) {
        Filters mine = filters.forPatient(patient);
        Map<String, String> names = catalogue.all().stream().collect(Collectors.toMap(Application::id, Application::name));
        return transactions.lagging(() -> {
            AccessRecordRepository.Found found = records.find(mine, page);
            return Paging.of(found.items().stream().map(r -> entry(r, names)).toList(), page, found.total());
        });
    }

    /** An access record as its patient reads it; {@code names} are the applications' names by id. */
    public static Entry entry(AccessRecord r, Map<String, String> names) {
        boolean application = r.accessorType() == AccessorType.APPLICATION;
        return new Entry(r.id(), r.at(), r.accessorType(), r.applicationId(),
                application ? names.getOrDefault(r.applicationId(), r.applicationId()) : null, r.actor(), r.purpose(),
                r.purpose() == null ? SUPERVISION : PURPOSES.get(r.purpose()), r.dataCategory(), r.outcome(),
                r.reason(), r.leafIndex());
    }
}
