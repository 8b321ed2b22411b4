package health.consent.service.security;

import health.consent.model.ApplicationId;
import health.consent.model.PatientId;
import health.consent.service.web.ApiException;
import health.consent.service.web.Input;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.security.token.jwt.generator.JwtTokenGenerator;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Hidden;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Development tokens, so that a newcomer can try every role. This bean exists only in the
 * {@code dev} environment: elsewhere the path is a plain 404.
 */
@Controller("/dev")
@Hidden
@Requires(env = Environment.DEVELOPMENT)
@Secured(SecurityRule.IS_ANONYMOUS)
public class DevTokenController {

    static final int LIFETIME_SECONDS = 8 * 3600;

    private final JwtTokenGenerator generator;

    public DevTokenController(JwtTokenGenerator generator) {
        this.generator = generator;
    }

    /** Says at start-up, where an operator reads it, what the dev environment opens. */
    @Context
    @Requires(env = Environment.DEVELOPMENT)
    static final class Warning {
        Warning() {
            LoggerFactory.getLogger(DevTokenController.class).warn("The dev environment is on: anyone who reaches this "
                    + "instance can get a token for any role from POST /dev/tokens (valid on this instance only, until "
                    + "it stops), and the demo catalogue is added. Never run it in production.");
        }
    }

    @Serdeable
    public record TokenResponse(String token, long expiresIn) {
    }

    /** A demonstration person for the page's sign-in: a patient, or a representative acting for one. */
    @Serdeable
    public record DemoPerson(String subject, String actor, Map<String, String> label) {
    }

    private static final List<DemoPerson> DEMO_PEOPLE = List.of(
            new DemoPerson("demo-alice", null, Map.of("fr", "Alice Martin", "en", "Alice Martin")),
            new DemoPerson("demo-bernard", null, Map.of("fr", "Bernard Petit", "en", "Bernard Petit")),
            new DemoPerson("demo-bernard", "demo-claire", Map.of("fr", "Claire Petit, aidante de Bernard Petit",
                    "en", "Claire Petit, caregiver of Bernard Petit")));

    /** The people the page offers in the dev environment; its presence tells the page it runs in dev. */
    @Get("/demo-patients")
    public List<DemoPerson> demoPeople() {
        return DEMO_PEOPLE;
    }

    @Post("/tokens")
    public TokenResponse issue(@Body JsonNode body) {
        Input input = new Input();
        JsonNode request = input.body(body, Set.of("subject", "roles", "actor"));
        List<JsonNode> roleNodes = input.array(request, "", "roles", 4, true);
        Set<String> roles = new LinkedHashSet<>();
        for (int i = 0; i < roleNodes.size(); i++) {
            JsonNode r = roleNodes.get(i);
            if (!r.isString() || !Roles.ALL.contains(r.getStringValue())) {
                input.problem(Input.index("roles", i), "must be one of " + String.join(", ", Roles.ALL));
            } else {
                roles.add(r.getStringValue());
            }
        }
        boolean application = roles.contains(Roles.APPLICATION);
        String subject = application
                ? input.identifier(request, "", "subject", ApplicationId::isValid, ApplicationId.PATTERN)
                : input.identifier(request, "", "subject", PatientId::isValid, PatientId.PATTERN);
        String actor = request.get("actor") == null || request.get("actor").isNull() ? null
                : input.identifier(request, "", "actor", PatientId::isValid, PatientId.PATTERN);
        input.check();

        Map<String, Object> claims = new HashMap<>();
        long now = Instant.now().getEpochSecond();
        claims.put("sub", subject);
        claims.put("roles", new ArrayList<>(roles));
        claims.put("iat", now);
        claims.put("exp", now + LIFETIME_SECONDS);
        if (actor != null) {
            claims.put("act", Map.of("sub", actor));
        }
        String token = generator.generateToken(claims)
                .orElseThrow(() -> new ApiException(io.micronaut.http.HttpStatus.INTERNAL_SERVER_ERROR, "token",
                        "the development token could not be signed", List.of()));
        return new TokenResponse(token, LIFETIME_SECONDS);
    }
}
