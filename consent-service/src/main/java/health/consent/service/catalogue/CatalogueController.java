package health.consent.service.catalogue;

import health.consent.model.ApplicationId;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;

/** The catalogue: every authenticated role reads it; only ADMIN changes it. */
@Controller("/api/v1/applications")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Catalogue")
public class CatalogueController {

    private final CatalogueService catalogue;

    public CatalogueController(CatalogueService catalogue) {
        this.catalogue = catalogue;
    }

    @Operation(summary = "List the catalogue (any role)")
    @Get
    @Secured({Roles.PATIENT, Roles.APPLICATION, Roles.REGULATOR, Roles.ADMIN})
    public List<Application> list() {
        return catalogue.all();
    }

    @Operation(summary = "Read one application (any role)")
    @Get("/{id}")
    @Secured({Roles.PATIENT, Roles.APPLICATION, Roles.REGULATOR, Roles.ADMIN})
    public Application get(@PathVariable String id) {
        return get(CatalogueRequests.applicationId(id));
    }

    private Application get(ApplicationId id) {
        return catalogue.find(id).orElseThrow(() -> ApiException.of(CatalogueService.notFound(id)));
    }

    @Operation(summary = "Register an application with its declared purposes and notices (ADMIN)")
    @Post
    @Secured(Roles.ADMIN)
    public HttpResponse<Application> register(@Body JsonNode body) {
        Application created = ApiException.unwrap(catalogue.register(CatalogueRequests.registration(body)));
        return HttpResponse.created(created, URI.create("/api/v1/applications/" + created.id()));
    }

    @Operation(summary = "Declare a purpose or publish a new version of its notice (ADMIN)")
    @Put("/{id}/purposes/{purpose}")
    @Secured(Roles.ADMIN)
    public HttpResponse<Application> declare(@PathVariable String id, @PathVariable String purpose,
                                             @Body JsonNode body) {
        var parsedPurpose = CatalogueRequests.purpose(purpose);
        var declaration = CatalogueRequests.declaration(body);
        ApplicationId applicationId = CatalogueRequests.applicationId(id);
        CatalogueService.Publication publication =
                ApiException.unwrap(catalogue.declare(applicationId, parsedPurpose, declaration));
        Application application = get(applicationId);
        return publication == CatalogueService.Publication.DECLARED
                ? HttpResponse.created(application, URI.create("/api/v1/applications/" + id))
                : HttpResponse.ok(application);
    }

    @Operation(summary = "Suspend or reactivate an application (ADMIN)")
    @Put("/{id}/status")
    @Secured(Roles.ADMIN)
    public Application status(@PathVariable String id, @Body JsonNode body) {
        var status = CatalogueRequests.status(body);
        return ApiException.unwrap(catalogue.setStatus(CatalogueRequests.applicationId(id), status));
    }
}
