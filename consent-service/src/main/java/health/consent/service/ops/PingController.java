package health.consent.service.ops;

import health.consent.service.security.Roles;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * A constant answer behind the same authentication as every API call: the ceiling that the
 * benchmarks compare the decision endpoint with.
 */
@Controller("/api/v1/ping")
@Secured({Roles.PATIENT, Roles.APPLICATION, Roles.REGULATOR, Roles.ADMIN})
@Tag(name = "Operations")
public class PingController {

    private static final Pong PONG = new Pong("ok");

    @Serdeable
    public record Pong(String status) {
    }

    @Operation(summary = "A constant answer (any role)")
    @Get
    public Pong ping() {
        return PONG;
    }
}
