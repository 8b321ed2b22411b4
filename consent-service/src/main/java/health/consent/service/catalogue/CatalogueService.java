package health.consent.service.catalogue;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.Purpose;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.Catalogue.Notice;
import health.consent.service.db.Clock;
import health.consent.service.db.Transactions;
import health.consent.service.events.CatalogueChanged;
import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Registers applications, publishes their notices, suspends and reactivates them. */
@Singleton
public class CatalogueService {

    private final Transactions transactions;
    private final CatalogueRepository repository;

    public CatalogueService(Transactions transactions, CatalogueRepository repository) {
        this.transactions = transactions;
        this.repository = repository;
    }

    /**
     * What a purpose declaration says: its notice and the notice's version, the notice's easy-to-read
     * summary (or null), and the longest a grant may last in days (or null: no limit).
     */
    public record Declaration(int noticeVersion, Notice notice, Notice easyRead, Integer longestGrantDays) {

        public Declaration(int noticeVersion, Notice notice) {
            this(noticeVersion, notice, null, null);
        }
    }

    /** A request to register an application; CARE is among its purposes. */
    public record Registration(ApplicationId id, String name, String publisher, Map<Purpose, Declaration> purposes) {
    }

    /** Whether a purpose declaration created, replaced, or repeated what was published. */
    public enum Publication { DECLARED, NEW_VERSION, UNCHANGED }

    public List<Application> all() {
        return transactions.read(repository::all);
    }

    public Optional<Application> find(ApplicationId id) {
        return transactions.read(() -> repository.find(id));
    }

    public Result<Application> register(Registration registration) {
        ApplicationId id = registration.id();
        try {
            return transactions.write(() -> {
                if (repository.find(id).isPresent()) {
                    return Result.refused(alreadyRegistered(id));
                }
                Instant now = Clock.now();
                repository.insertApplication(id, registration.name(), registration.publisher(), now);
                registration.purposes().forEach((purpose, d) -> {
                    repository.declarePurpose(id, purpose, d.noticeVersion(), d.longestGrantDays(), now);
                    repository.insertNotice(id, purpose, d.noticeVersion(), d.notice(), d.easyRead(), now);
                });
                transactions.publish(CatalogueChanged.registered(id));
                return Result.ok(repository.find(id).orElseThrow());
            });
        } catch (RuntimeException e) {
            if (Transactions.isUniqueViolation(e)) {
                return Result.refused(alreadyRegistered(id));
            }
            throw e;
        }
    }

    private static Refusal alreadyRegistered(ApplicationId id) {
        return Refusal.conflict("application-exists", "application '" + id + "' is already registered");
    }

    /**
     * Declares a purpose or publishes a new version of its notice. A published version's text
     * never changes: patients' grants name it. A higher version makes older secondary grants
     * stop permitting until the patient decides again.
     */
    public Result<Publication> declare(ApplicationId applicationId, Purpose purpose, Declaration declaration) {
        return transactions.write(() -> {
            if (repository.find(applicationId).isEmpty()) {
                return Result.refused(notFound(applicationId));
            }
            Instant now = Clock.now();
            Optional<Integer> current = repository.lockDeclaredVersion(applicationId, purpose);
            if (current.isEmpty()) {
                repository.declarePurpose(applicationId, purpose, declaration.noticeVersion(),
                        declaration.longestGrantDays(), now);
                repository.insertNotice(applicationId, purpose, declaration.noticeVersion(), declaration.notice(),
                        declaration.easyRead(), now);
                transactions.publish(CatalogueChanged.declared(applicationId, purpose));
                return Result.ok(Publication.DECLARED);
            }
            int version = current.get();
            if (declaration.noticeVersion() < version) {
                return Result.refused(Refusal.conflict("notice-version-outdated", "noticeVersion must be at least "
                        + version + ", the version published now"));
            }
            if (declaration.noticeVersion() == version) {
                if (!repository.notice(applicationId, purpose, version).orElseThrow().equals(declaration.notice())
                        || !java.util.Objects.equals(repository.easyRead(applicationId, purpose, version).orElse(null),
                                declaration.easyRead())) {
                    return Result.refused(Refusal.conflict("notice-version-published", "version " + version
                            + " is published with another text; publish the new text as version " + (version + 1)));
                }
                return Result.ok(Publication.UNCHANGED);
            }
            repository.insertNotice(applicationId, purpose, declaration.noticeVersion(), declaration.notice(),
                    declaration.easyRead(), now);
            repository.publishVersion(applicationId, purpose, declaration.noticeVersion(), declaration.longestGrantDays(),
                    now);
            transactions.publish(CatalogueChanged.noticePublished(applicationId, purpose));
            return Result.ok(Publication.NEW_VERSION);
        });
    }

    public Result<Application> setStatus(ApplicationId applicationId, ApplicationStatus status) {
        return transactions.write(() -> {
            if (repository.updateStatus(applicationId, status, Clock.now()) == 0) {
                return Result.refused(notFound(applicationId));
            }
            transactions.publish(CatalogueChanged.status(applicationId, status));
            return Result.ok(repository.find(applicationId).orElseThrow());
        });
    }

    /** The refusal for an application that is not in the catalogue (or whose id cannot exist). */
    public static Refusal notFound(Object id) {
        return Refusal.notFound("no application '" + id + "' in the catalogue");
    }
}
