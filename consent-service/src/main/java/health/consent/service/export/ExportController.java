package health.consent.service.export;

import health.consent.service.security.Callers;
import health.consent.service.security.Callers.PatientCaller;
import health.consent.service.security.Roles;
import health.consent.service.web.Limits;
import io.micronaut.http.HttpResponse;
import io.micronaut.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The patient's export: everything held about them, streamed. */
@Controller("/api/v1/me/export")
@Secured(Roles.PATIENT)
@Tag(name = "Patient")
public class ExportController {

    private final PatientExport export;
    private final Limits limits;
    private final JsonMapper json;

    public ExportController(PatientExport export, Limits limits, JsonMapper json) {
        this.export = export;
        this.limits = limits;
        this.json = json;
    }

    @Operation(summary = "Everything held about me, as one JSON document written as it is read (PATIENT)",
            description = "consents, history, the notices it refers to, accessLog (who read my data and why), concerns")
    @Get
    public HttpResponse<StreamedFile> export(Authentication authentication) {
        PatientCaller caller = Callers.patient(authentication);
        Runnable done = limits.startExport();
        try {
            return HttpResponse.ok(new StreamedFile(export.stream(caller, out -> new JsonSink(out, json), done),
                    MediaType.APPLICATION_JSON_TYPE).attach("my-consent-data.json"));
        } catch (RuntimeException e) {
            done.run();
            throw e;
        }
    }

    /** The export as one JSON object, written piece by piece. */
    private static final class JsonSink implements ExportSink {
        private final OutputStream out;
        private final JsonMapper json;
        private boolean firstField = true;
        private boolean firstElement;

        JsonSink(OutputStream out, JsonMapper json) {
            this.out = out;
            this.json = json;
        }

        @Override
        public void value(String name, Object value) throws IOException {
            name(name);
            out.write(json.writeValueAsBytes(value));
        }

        @Override
        public void beginArray(String name) throws IOException {
            name(name);
            out.write('[');
            firstElement = true;
        }

        @Override
        public void element(Object value) throws IOException {
            if (!firstElement) {
                out.write(',');
            }
            firstElement = false;
            out.write(json.writeValueAsBytes(value));
        }

        @Override
        public void endArray() throws IOException {
            out.write(']');
        }

        @Override
        public void end() throws IOException {
            out.write(firstField ? "{}".getBytes(StandardCharsets.UTF_8) : new byte[] {'}'});
        }

        private void name(String name) throws IOException {
            out.write(firstField ? '{' : ',');
            firstField = false;
            out.write(json.writeValueAsBytes(name));
            out.write(':');
        }
    }
}
