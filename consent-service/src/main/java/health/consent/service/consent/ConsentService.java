package health.consent.service.consent;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.ChangeRefusal;
import health.consent.model.Channel;
import health.consent.model.ConsentRules;
import health.consent.model.ConsentState;
import health.consent.model.Decision;
import health.consent.model.Purpose;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.Catalogue.DeclaredPurpose;
import health.consent.service.catalogue.CatalogueRepository;
import health.consent.service.catalogue.CatalogueService;
import health.consent.service.catalogue.DeclarationCache;
import health.consent.service.consent.ConsentRepository.NewEvent;
import health.consent.service.consent.ConsentRepository.Stored;
import health.consent.service.consent.ConsentViews.ChangeResult;
import health.consent.service.consent.ConsentViews.ConsentEvent;
import health.consent.service.consent.ConsentViews.ConsentView;
import health.consent.service.consent.ConsentViews.Export;
import health.consent.service.consent.ConsentViews.NoticeVersion;
import health.consent.service.audit.AuditLog;
import health.consent.service.db.Db;
import health.consent.service.decision.DecisionCache;
import health.consent.service.feed.ChangeFeed;
import health.consent.service.feed.ChangeFeedRepository;
import health.consent.service.security.Callers.PatientCaller;
import health.consent.service.web.ApiException;
import health.consent.service.web.Input;
import health.consent.service.web.Paging;
import io.micronaut.json.tree.JsonNode;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A patient's consents: reading them, changing them, and their history. */
@Singleton
public class ConsentService {

    /** Attempts at a change when two first decisions race to insert the same row. */
    private static final int ATTEMPTS = 3;

    private final Db db;
    private final ConsentRepository consents;
    private final CatalogueService catalogue;
    private final CatalogueRepository catalogueRepository;
    private final ChangeFeedRepository changes;
    private final ChangeFeed feed;
    private final AuditLog auditLog;
    private final DecisionCache decisionCache;
    private final DeclarationCache declarations;

    public ConsentService(Db db, ConsentRepository consents, CatalogueService catalogue,
                          CatalogueRepository catalogueRepository, ChangeFeedRepository changes, ChangeFeed feed,
                          AuditLog auditLog, DecisionCache decisionCache, DeclarationCache declarations) {
        this.db = db;
        this.consents = consents;
        this.catalogue = catalogue;
        this.catalogueRepository = catalogueRepository;
        this.changes = changes;
        this.feed = feed;
        this.auditLog = auditLog;
        this.decisionCache = decisionCache;
        this.declarations = declarations;
    }

    /** A validated change request. */
    record ChangeRequest(ConsentState state, Integer noticeVersion, Channel channel) {
    }

    /** One row per (application, declared purpose) of the catalogue, decided or not. */
    public List<ConsentView> list(PatientCaller caller) {
        return db.readOnly(() -> views(catalogue.all(), consents.forPatient(caller.patient().value())));
    }

    /**
     * Sets one purpose to GRANTED, REFUSED or WITHDRAWN. The change, its event, and the withdrawals
     * it causes are written in one transaction. {@code ifMatch}, when given, must be the current
     * version.
     */
    public ChangeResult change(PatientCaller caller, String applicationId, String purposeName, JsonNode body,
                               Long ifMatch) {
        Purpose purpose = Purpose.fromWire(purposeName).orElseThrow(
                () -> ApiException.invalid("purpose", "must be one of " + Purpose.WIRE_NAMES));
        ChangeRequest request = parse(body);
        for (int attempt = 1; ; attempt++) {
            try {
                ChangeResult result = db.inTransaction(() -> apply(caller, applicationId, purpose, request, ifMatch));
                decisionCache.forget(applicationId, caller.patient().value());
                feed.changed();
                auditLog.written();
                return result;
            } catch (RuntimeException e) {
                if (!Db.isUniqueViolation(e) || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private ChangeResult apply(PatientCaller caller, String applicationId, Purpose purpose, ChangeRequest request,
                               Long ifMatch) {
        String patientId = caller.patient().value();
        Application application = (ApplicationId.isValid(applicationId)
                ? declarations.find(applicationId) : Optional.<Application>empty())
                .orElseThrow(() -> ApiException.notFound("no application '" + applicationId + "' in the catalogue"));
        DeclaredPurpose declared = application.purpose(purpose).orElseThrow(() -> ApiException.notFound(
                "application '" + applicationId + "' does not declare the purpose " + purpose));
        Map<Purpose, Stored> stored = byPurpose(consents.lockForApplication(patientId, applicationId));
        Stored current = stored.get(purpose);
        ConsentState currentState = current == null ? ConsentState.NOT_SET : current.state();
        long currentVersion = current == null ? 0 : current.version();
        if (ifMatch != null && ifMatch != currentVersion) {
            throw ApiException.preconditionFailed("this consent changed since you read it: its version is "
                    + currentVersion + ", not " + ifMatch + "; read it again before deciding");
        }
        if (request.state() == ConsentState.GRANTED && application.status() == ApplicationStatus.SUSPENDED) {
            throw ApiException.conflict("application-suspended",
                    "application '" + applicationId + "' is suspended and cannot be granted anything");
        }
        int seen = request.noticeVersion() == null ? declared.noticeVersion() : request.noticeVersion();
        ConsentState care = stateOf(stored.get(Purpose.CARE));
        Optional<ChangeRefusal> refusal = ConsentRules.checkChange(purpose, currentState, request.state(), care, seen,
                declared.noticeVersion());
        if (refusal.isPresent()) {
            throw ApiException.conflict(refusalType(refusal.get().kind()), refusal.get().message());
        }
        if (current != null && ConsentRules.isNoChange(currentState, current.noticeVersion(), request.state(), seen)) {
            return new ChangeResult(view(application, declared, current, care), List.of());
        }

        Instant now = Db.now();
        long cause = write(caller, applicationId, purpose, current, request.state(), seen, request.channel(), null, now);
        Map<Purpose, Stored> after = new EnumMap<>(stored);
        after.put(purpose, new Stored(applicationId, purpose, request.state(), seen, currentVersion + 1, now));
        List<Purpose> cascaded = new ArrayList<>();
        if (ConsentRules.withdrawsSecondaryGrants(purpose, request.state())) {
            for (Stored s : stored.values()) {
                if (s.purpose().isSecondary() && s.state() == ConsentState.GRANTED) {
                    write(caller, applicationId, s.purpose(), s, ConsentState.WITHDRAWN, s.noticeVersion(),
                            Channel.CASCADE, cause, now);
                    after.put(s.purpose(), new Stored(applicationId, s.purpose(), ConsentState.WITHDRAWN,
                            s.noticeVersion(), s.version() + 1, now));
                    cascaded.add(s.purpose());
                }
            }
        }
        ConsentState careAfter = stateOf(after.get(Purpose.CARE));
        List<ConsentView> cascadedViews = cascaded.stream()
                .map(p -> view(application, application.purpose(p).orElseThrow(), after.get(p), careAfter))
                .toList();
        ConsentView changed = view(application, declared, after.get(purpose), careAfter);
        for (ConsentView v : cascadedViews.isEmpty() ? List.of(changed) : concat(changed, cascadedViews)) {
            changes.patientChange(applicationId, patientId, v.purpose(), Decision.of(v.reason()), v.version(), now);
        }
        return new ChangeResult(changed, cascadedViews);
    }

    private static List<ConsentView> concat(ConsentView first, List<ConsentView> rest) {
        List<ConsentView> all = new ArrayList<>(rest.size() + 1);
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private long write(PatientCaller caller, String applicationId, Purpose purpose, Stored current,
                       ConsentState state, int noticeVersion, Channel channel, Long cause, Instant now) {
        String patientId = caller.patient().value();
        if (current == null) {
            consents.insert(patientId, applicationId, purpose, state, noticeVersion, now);
        } else if (!consents.update(patientId, applicationId, purpose, state, noticeVersion, current.version(), now)) {
            // The rows are locked, so only a bug could bring us here; fail the whole transaction.
            throw new IllegalStateException("consent row changed under its lock");
        }
        return consents.append(new NewEvent(patientId, applicationId, purpose, state,
                current == null ? ConsentState.NOT_SET : current.state(), noticeVersion, caller.actorType(),
                caller.actorId(), channel, cause, now));
    }

    public Paging<ConsentEvent> history(PatientCaller caller, Paging.Request page) {
        String patientId = caller.patient().value();
        return db.readOnly(() -> Paging.of(consents.history(patientId, page.size(), page.offset()), page,
                consents.countHistory(patientId)));
    }

    /** Everything held about the patient, as one document. */
    public Export export(PatientCaller caller) {
        String patientId = caller.patient().value();
        return db.readOnly(() -> {
            List<ConsentView> current = views(catalogue.all(), consents.forPatient(patientId));
            List<ConsentEvent> history = consents.history(patientId, Integer.MAX_VALUE, 0);
            Set<NoticeKey> referenced = new LinkedHashSet<>();
            history.forEach(e -> referenced.add(new NoticeKey(e.applicationId(), e.purpose(), e.noticeVersion())));
            List<NoticeVersion> notices = referenced.stream()
                    .flatMap(k -> catalogueRepository.notice(k.applicationId(), k.purpose(), k.version())
                            .map(n -> new NoticeVersion(k.applicationId(), k.purpose(), k.version(), n)).stream())
                    .toList();
            return new Export(patientId, Db.now(), current, history, notices);
        });
    }

    private record NoticeKey(String applicationId, Purpose purpose, int version) {
    }

    private static List<ConsentView> views(List<Application> applications, List<Stored> stored) {
        Map<String, Map<Purpose, Stored>> byApplication = new java.util.HashMap<>();
        for (Stored s : stored) {
            byApplication.computeIfAbsent(s.applicationId(), k -> new EnumMap<>(Purpose.class)).put(s.purpose(), s);
        }
        List<ConsentView> rows = new ArrayList<>();
        for (Application a : applications) {
            Map<Purpose, Stored> mine = byApplication.getOrDefault(a.id(), Map.of());
            ConsentState care = stateOf(mine.get(Purpose.CARE));
            for (DeclaredPurpose d : a.purposes()) {
                rows.add(view(a, d, mine.get(d.purpose()), care));
            }
        }
        return rows;
    }

    private static ConsentView view(Application application, DeclaredPurpose declared, Stored stored,
                                    ConsentState care) {
        ConsentState state = stateOf(stored);
        int consented = stored == null ? 0 : stored.noticeVersion();
        Decision decision = ConsentRules.decide(application.status(), declared.purpose(), declared.noticeVersion(),
                care, state, consented);
        return new ConsentView(application.id(), application.name(), declared.purpose(), declared.primary(), state,
                decision.outcome(), decision.reason(), stored == null ? null : stored.noticeVersion(),
                declared.noticeVersion(), stored == null ? null : stored.updatedAt(),
                stored == null ? 0 : stored.version());
    }

    private static ConsentState stateOf(Stored stored) {
        return stored == null ? ConsentState.NOT_SET : stored.state();
    }

    private static Map<Purpose, Stored> byPurpose(List<Stored> rows) {
        Map<Purpose, Stored> map = new EnumMap<>(Purpose.class);
        rows.forEach(r -> map.put(r.purpose(), r));
        return map;
    }

    private static String refusalType(ChangeRefusal.Kind kind) {
        return switch (kind) {
            case NOT_A_DECISION -> "not-a-decision";
            case NOTICE_NOT_CURRENT -> "notice-not-current";
            case SECONDARY_REQUIRES_CARE -> "care-not-granted";
            case NOTHING_TO_WITHDRAW -> "nothing-to-withdraw";
        };
    }

    private static ChangeRequest parse(JsonNode body) {
        Input input = new Input();
        JsonNode request = input.object(body).orElse(null);
        input.check();
        input.onlyFields(request, "", Set.of("state", "noticeVersion", "channel"));
        ConsentState state = input.oneOf(request, "", "state",
                name -> ConsentState.fromWire(name).filter(ConsentState::isDecision), "GRANTED, REFUSED, WITHDRAWN");
        Integer notice = input.integer(request, "", "noticeVersion", 1, Integer.MAX_VALUE,
                state == ConsentState.GRANTED);
        Channel channel = Channel.API;
        JsonNode channelNode = request.get("channel");
        if (channelNode != null && !channelNode.isNull()) {
            channel = input.oneOf(request, "", "channel",
                    name -> "WEB".equals(name) ? Optional.of(Channel.WEB)
                            : "API".equals(name) ? Optional.of(Channel.API) : Optional.empty(), "WEB, API");
        }
        input.check();
        return new ChangeRequest(state, notice, channel);
    }
}
