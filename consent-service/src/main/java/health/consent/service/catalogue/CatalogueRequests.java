package health.consent.service.catalogue;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.Purpose;
import health.consent.service.catalogue.CatalogueService.Declaration;
import health.consent.service.catalogue.CatalogueService.Registration;
import health.consent.service.catalogue.Catalogue.Notice;
import health.consent.service.web.ApiException;
import health.consent.service.web.Input;
import io.micronaut.json.tree.JsonNode;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The catalogue's request bodies and paths, read into typed commands; every problem found is answered at once. */
final class CatalogueRequests {

    static final int MAX_NAME = 200;
    static final int MAX_NOTICE = 4000;
    static final int MAX_NOTICE_VERSION = 1_000_000;
    static final int MAX_EASY_READ = 1_000;
    static final int MAX_GRANT_DAYS = 3_650;

    private CatalogueRequests() {
    }

    /**
     * {@code {id, name, publisher, purposes:[{purpose, noticeVersion, notice:{fr,en}, easyRead?:{fr,en},
     * longestGrantDays?}]}}; CARE must be declared.
     */
    static Registration registration(JsonNode body) {
        Input input = new Input();
        JsonNode request = input.body(body, Set.of("id", "name", "publisher", "purposes"));
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
            input.onlyFields(node, path, Set.of("purpose", "noticeVersion", "notice", "easyRead", "longestGrantDays"));
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
        return new Registration(ApplicationId.of(id), name, publisher, declared);
    }

    /** {@code {noticeVersion, notice:{fr,en}, easyRead?:{fr,en}, longestGrantDays?}}. */
    static Declaration declaration(JsonNode body) {
        Input input = new Input();
        JsonNode request = input.body(body, Set.of("noticeVersion", "notice", "easyRead", "longestGrantDays"));
        Declaration declaration = declaration(input, request, "");
        input.check();
        return declaration;
    }

    /** {@code {status: ACTIVE or SUSPENDED}}. */
    static ApplicationStatus status(JsonNode body) {
        Input input = new Input();
        JsonNode request = input.body(body, Set.of("status"));
        ApplicationStatus status = input.oneOf(request, "", "status", CatalogueRequests::status, "ACTIVE, SUSPENDED");
        input.check();
        return status;
    }

    static Purpose purpose(String name) {
        return Purpose.fromWire(name).orElseThrow(
                () -> ApiException.invalid("purpose", "must be one of " + Purpose.WIRE_NAMES));
    }

    /** An application id from a path: one that cannot exist is simply not in the catalogue. */
    static ApplicationId applicationId(String id) {
        if (!ApplicationId.isValid(id)) {
            throw ApiException.of(CatalogueService.notFound(id));
        }
        return ApplicationId.of(id);
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
        JsonNode easyNode = node.get("easyRead");
        Notice easyRead = easyNode == null || easyNode.isNull() ? null : input.object(node, path, "easyRead").map(n -> {
            String where = Input.join(path, "easyRead");
            input.onlyFields(n, where, Set.of("fr", "en"));
            return new Notice(input.text(n, where, "fr", MAX_EASY_READ), input.text(n, where, "en", MAX_EASY_READ));
        }).orElse(null);
        Integer longest = null;
        JsonNode longestNode = node.get("longestGrantDays");
        if (longestNode != null && !longestNode.isNull()) {
            longest = input.integer(node, path, "longestGrantDays", 1, MAX_GRANT_DAYS, false);
        }
        return version == null || notice == null ? null : new Declaration(version, notice, easyRead, longest);
    }
}
