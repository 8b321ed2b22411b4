package health.consent.service.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * An RFC 9457 problem document: every error the service answers has this shape and the media
 * type {@code application/problem+json}. {@code errors} lists the fields at fault, by their JSON
 * path in the request ({@code purposes[1].notice.fr}) or by parameter name.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, List<FieldProblem> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One field at fault and what is wrong with it. */
    @Serdeable
    public record FieldProblem(String field, String message) {
    }
}
