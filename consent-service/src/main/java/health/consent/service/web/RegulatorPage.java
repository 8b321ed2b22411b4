package health.consent.service.web;

import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The regulators' page at {@code /regulator/} (and {@code /regulator}): its index, which the static resources (a folder's
 * path) do not serve. Public, as the patients' page is; everything it shows comes with a token.
 */
@Controller
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
public class RegulatorPage {

    private final byte[] index;

    public RegulatorPage(ResourceResolver resources) {
        try (InputStream in = resources.getResourceAsStream("classpath:public/regulator/index.html")
                .orElseThrow(() -> new IllegalStateException("public/regulator/index.html is missing"))) {
            this.index = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get("/regulator/")
    @Produces(MediaType.TEXT_HTML + ";charset=utf-8")
    public byte[] page() {
        return index;
    }
}
