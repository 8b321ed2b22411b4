package health.consent.service.catalogue;

import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.security.Roles;
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
        return catalogue.get(id);
    }

    @Operation(summary = "Register an application with its declared purposes and notices (ADMIN)")
    @Post
    @Secured(Roles.ADMIN)
    public HttpResponse<Application> register(@Body JsonNode body) {
        Application created = catalogue.register(body);
        return HttpResponse.created(created, URI.create("/api/v1/applications/" + created.id()));
    }

    @Operation(summary = "Declare a purpose or publish a new version of its notice (ADMIN)")
    @Put("/{id}/purposes/{purpose}")
    @Secured(Roles.ADMIN)
    public HttpResponse<Application> declare(@PathVariable String id, @PathVariable String purpose,
                                             @Body JsonNode body) {
        CatalogueService.Publication publication = catalogue.declare(id, purpose, body);
        Application application = catalogue.get(id);
        return publication == CatalogueService.Publication.DECLARED
                ? HttpResponse.created(application, URI.create("/api/v1/applications/" + id))
                : HttpResponse.ok(application);
    }

    @Operation(summary = "Suspend or reactivate an application (ADMIN)")
    @Put("/{id}/status")
    @Secured(Roles.ADMIN)
    public Application status(@PathVariable String id, @Body JsonNode body) {
        return catalogue.setStatus(id, body);
    }
}
