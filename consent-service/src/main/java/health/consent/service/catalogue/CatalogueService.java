package health.consent.service.catalogue;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.Decision;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.Catalogue.Notice;
import health.consent.service.db.Db;
import health.consent.service.decision.DecisionCache;
import health.consent.service.feed.ChangeFeed;
import health.consent.service.feed.ChangeFeedRepository;
import health.consent.service.web.ApiException;
import health.consent.service.web.Input;
import io.micronaut.json.tree.JsonNode;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Registers applications and publishes their notices. */
@Singleton
public class CatalogueService {

    static final int MAX_NAME = 200;
    static final int MAX_NOTICE = 4000;
    static final int MAX_NOTICE_VERSION = 1_000_000;

    private final Db db;
    private final CatalogueRepository repository;
    private final ChangeFeedRepository changes;
    private final ChangeFeed feed;
    private final DecisionCache decisionCache;
    private final DeclarationCache declarations;

    public CatalogueService(Db db, CatalogueRepository repository, ChangeFeedRepository changes, ChangeFeed feed,
                            DecisionCache decisionCache, DeclarationCache declarations) {
        this.db = db;
        this.repository = repository;
        this.changes = changes;
        this.feed = feed;
        this.decisionCache = decisionCache;
        this.declarations = declarations;
    }

    /** What a purpose declaration says: its notice and the notice's version. */
    public record Declaration(int noticeVersion, Notice notice) {
    }

    /** Whether a purpose declaration created, replaced, or repeated what was published. */
    public enum Publication { DECLARED, NEW_VERSION, UNCHANGED }

    public List<Application> all() {
        return repository.all();
    }

    public Optional<Application> find(String id) {
        return ApplicationId.isValid(id) ? repository.find(id) : Optional.empty();
    }

    public Application get(String id) {
        return find(id).orElseThrow(() -> ApiException.notFound("no application '" + id + "' in the catalogue"));
    }

    /** Registers an application from {@code {id, name, publisher, purposes:[...]}}; CARE must be declared. */
    public Application register(JsonNode body) {
        Input input = new Input();
        JsonNode request = input.object(body).orElse(null);
        input.check();
        input.onlyFields(request, "", Set.of("id", "name", "publisher", "purposes"));
        String id = input.identifier(request, "", "id", ApplicationId::isValid, ApplicationId.PATTERN);
        String name = input.text(request, "", "name", MAX_NAME);
        String publisher = input.text(request, "", "publisher", MAX_NAME);
        List<JsonNode> purposeNodes = input.array(request, "", "purposes", Purpose.values().length, true);
        Map<Purpose, Declaration> declared = new EnumMap<>(Purpose.class);
        for (int i = 0; i < purposeNodes.size(); i++) {
            String path = Input.index("purposes", i);
            JsonNode node = purposeNodes.get(i);
            if (!node.isObject()) {
                input.problem(path, "must be an object");
                continue;
            }
            input.onlyFields(node, path, Set.of("purpose", "noticeVersion", "notice"));
            Purpose purpose = input.oneOf(node, path, "purpose", Purpose::fromWire, Purpose.WIRE_NAMES);
            Declaration declaration = declaration(input, node, path);
            if (purpose != null && declared.put(purpose, declaration) != null) {
                input.problem(Input.join(path, "purpose"), purpose + " is declared twice");
            }
        }
        if (!purposeNodes.isEmpty() && !input.hasProblems() && !declared.containsKey(Purpose.CARE)) {
            input.problem("purposes", "must declare CARE: every catalogue application is connected for care");
        }
        input.check();

        try {
            Application registered = db.inTransaction(() -> {
                if (repository.find(id).isPresent()) {
                    throw ApiException.conflict("application-exists", "application '" + id + "' is already registered");
                }
                Instant now = Db.now();
                repository.insertApplication(id, name, publisher, now);
                declared.forEach((purpose, d) -> {
                    repository.declarePurpose(id, purpose, d.noticeVersion(), now);
                    repository.insertNotice(id, purpose, d.noticeVersion(), d.notice(), now);
                });
                return repository.find(id).orElseThrow();
            });
            // Answers cached as UNKNOWN_APPLICATION are wrong now.
            forget(id);
            return registered;
        } catch (RuntimeException e) {
            if (Db.isUniqueViolation(e)) {
                throw ApiException.conflict("application-exists", "application '" + id + "' is already registered");
            }
            throw e;
        }
    }

    /**
     * Declares a purpose or publishes a new version of its notice. A published version's text
     * never changes: patients' grants name it. A higher version makes older secondary grants
     * stop permitting until the patient decides again.
     */
    public Publication declare(String applicationId, String purposeName, JsonNode body) {
        Purpose purpose = Purpose.fromWire(purposeName).orElseThrow(
                () -> ApiException.invalid("purpose", "must be one of " + Purpose.WIRE_NAMES));
        Input input = new Input();
        JsonNode request = input.object(body).orElse(null);
        input.check();
        input.onlyFields(request, "", Set.of("noticeVersion", "notice"));
        Declaration declaration = declaration(input, request, "");
        input.check();

        Publication publication = db.inTransaction(() -> {
            get(applicationId);
            Instant now = Db.now();
            Optional<Integer> current = repository.lockDeclaredVersion(applicationId, purpose);
            if (current.isEmpty()) {
                repository.declarePurpose(applicationId, purpose, declaration.noticeVersion(), now);
                repository.insertNotice(applicationId, purpose, declaration.noticeVersion(), declaration.notice(), now);
                // Answers cached as PURPOSE_NOT_DECLARED must be asked again.
                changes.applicationChange(applicationId, purpose, null, now);
                return Publication.DECLARED;
            }
            int version = current.get();
            if (declaration.noticeVersion() < version) {
                throw ApiException.conflict("notice-version-outdated", "noticeVersion must be at least " + version
                        + ", the version published now");
            }
            if (declaration.noticeVersion() == version) {
                if (!repository.notice(applicationId, purpose, version).orElseThrow().equals(declaration.notice())) {
                    throw ApiException.conflict("notice-version-published", "version " + version
                            + " is published with another text; publish the new text as version " + (version + 1));
                }
                return Publication.UNCHANGED;
            }
            repository.insertNotice(applicationId, purpose, declaration.noticeVersion(), declaration.notice(), now);
            repository.publishVersion(applicationId, purpose, declaration.noticeVersion(), now);
            if (purpose.isSecondary()) {
                // Every earlier grant of this purpose now needs the patient's new decision (rule 5).
                changes.applicationChange(applicationId, purpose, Decision.deny(Reason.RECONSENT_REQUIRED), now);
            }
            return Publication.NEW_VERSION;
        });
        if (publication != Publication.UNCHANGED) {
            forget(applicationId);
            feed.changed();
        }
        return publication;
    }

    public Application setStatus(String applicationId, JsonNode body) {
        Input input = new Input();
        JsonNode request = input.object(body).orElse(null);
        input.check();
        input.onlyFields(request, "", Set.of("status"));
        ApplicationStatus status = input.oneOf(request, "", "status", CatalogueService::status, "ACTIVE, SUSPENDED");
        input.check();
        Application updated = db.inTransaction(() -> {
            if (!ApplicationId.isValid(applicationId) || repository.updateStatus(applicationId, status) == 0) {
                throw ApiException.notFound("no application '" + applicationId + "' in the catalogue");
            }
            changes.applicationChange(applicationId, null, status == ApplicationStatus.SUSPENDED
                    ? Decision.deny(Reason.APPLICATION_SUSPENDED) : null, Db.now());
            return repository.find(applicationId).orElseThrow();
        });
        forget(applicationId);
        feed.changed();
        return updated;
    }

    /** What this instance cached about the application is wrong now; other instances learn it from the feed. */
    private void forget(String applicationId) {
        decisionCache.forget(applicationId);
        declarations.forget(applicationId);
    }

    private static Optional<ApplicationStatus> status(String name) {
        for (ApplicationStatus s : ApplicationStatus.values()) {
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static Declaration declaration(Input input, JsonNode node, String path) {
        Integer version = input.integer(node, path, "noticeVersion", 1, MAX_NOTICE_VERSION, true);
        Notice notice = input.object(node, path, "notice").map(n -> {
            String where = Input.join(path, "notice");
            input.onlyFields(n, where, Set.of("fr", "en"));
            return new Notice(input.text(n, where, "fr", MAX_NOTICE), input.text(n, where, "en", MAX_NOTICE));
        }).orElse(null);
        return version == null || notice == null ? null : new Declaration(version, notice);
    }
}
