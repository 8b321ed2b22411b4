package health.consent.service.access;

import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.CatalogueService;
import health.consent.service.db.Db;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.web.Filters;
import health.consent.service.web.Paging;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Who read my data, and why: the patient's own access records, and regulators' reads about them. */
@Controller("/api/v1/me/access-log")
@Secured(Roles.PATIENT)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Patient")
public class AccessLogController {

    /** A purpose in plain words. */
    @Serdeable
    public record Label(String fr, String en) {
    }

    private static final Map<Purpose, Label> PURPOSES = Map.of(
            Purpose.CARE, new Label("Vos soins", "Your care"),
            Purpose.STATISTICS, new Label("Statistiques et recherche", "Statistics and research"),
            Purpose.SERVICE_IMPROVEMENT, new Label("Amélioration du service", "Improving the service"),
            Purpose.COMMERCIALISATION, new Label("Utilisation commerciale", "Commercial use"));
    private static final Label SUPERVISION = new Label("Contrôle par l'autorité de santé", "Supervision by the health authority");

    /**
     * One access. {@code accessorType} is APPLICATION (then {@code applicationName} is the catalogue's name)
     * or REGULATOR (then {@code reason} says why they looked).
     */
    @Serdeable
    public record Entry(String id, Instant at, String accessorType, String applicationId, String applicationName,
                        String actor, Purpose purpose, Label purposeText, String dataCategory, Outcome outcome,
                        String reason) {
    }

    private final Db db;
    private final CatalogueService catalogue;

    public AccessLogController(Db db, CatalogueService catalogue) {
        this.db = db;
        this.catalogue = catalogue;
    }

    @Operation(summary = "My access log, newest first, filtered by applicationId, purpose, from and to (PATIENT)")
    @Get
    public Paging<Entry> log(Authentication authentication, @Nullable @QueryValue String applicationId,
                             @Nullable @QueryValue String purpose, @Nullable @QueryValue String from,
                             @Nullable @QueryValue String to, @Nullable @QueryValue Integer page,
                             @Nullable @QueryValue Integer size) {
        String patientId = Callers.patient(authentication).patient().value();
        Filters filters = Filters.parse(applicationId, patientId, purpose, from, to);
        Paging.Request request = Paging.Request.of(page, size);
        Map<String, String> names = catalogue.all().stream().collect(Collectors.toMap(Application::id, Application::name));
        Filters.Where where = filters.where("application_id", "patient_id", "purpose", "at");
        List<Object> params = new ArrayList<>(where.params());
        params.add(request.size());
        params.add(request.offset());
        return db.readOnly(() -> Paging.of(db.list("SELECT id, at, accessor_type, application_id, actor, purpose, "
                + "data_category, outcome, reason FROM access_record WHERE " + where.sql()
                + " ORDER BY at DESC, id LIMIT ? OFFSET ?", rs -> {
                    String p = rs.getString("purpose");
                    Purpose accessPurpose = p == null ? null : Purpose.valueOf(p);
                    String accessor = rs.getString("accessor_type");
                    String app = rs.getString("application_id");
                    return new Entry(rs.getString("id"), Db.instant(rs, "at"), accessor, app,
                            "APPLICATION".equals(accessor) ? names.getOrDefault(app, app) : null, rs.getString("actor"),
                            accessPurpose, accessPurpose == null ? SUPERVISION : PURPOSES.get(accessPurpose),
                            rs.getString("data_category"), Outcome.valueOf(rs.getString("outcome")),
                            rs.getString("reason"));
                }, params.toArray()), request,
                db.count("SELECT COUNT(*) FROM access_record WHERE " + where.sql(), where.params().toArray())));
    }
}
