package health.consent.service.fhir;

import health.consent.model.PatientId;
import health.consent.service.db.Clock;
import health.consent.service.db.Paging;
import health.consent.service.fhir.FhirService.AuditPage;
import health.consent.service.fhir.FhirService.Reader;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import health.consent.service.web.Input;
import health.consent.service.web.Params;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FHIR R4 under {@code /fhir/r4} ({@code application/fhir+json}; errors as OperationOutcome, with the
 * JSON API's statuses): the CapabilityStatement, Consents and AuditEvents. Search parameters this
 * server does not support are refused (400), not ignored.
 */
@Controller("/fhir/r4")
@Produces({FhirController.FHIR_JSON, MediaType.APPLICATION_JSON})
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "FHIR")
public class FhirController {

    public static final String FHIR_JSON = "application/fhir+json";
    static final int DEFAULT_COUNT = 50;
    static final int MAX_COUNT = 200;

    private final FhirService fhir;

    public FhirController(FhirService fhir) {
        this.fhir = fhir;
    }

    @Operation(summary = "The CapabilityStatement: what this FHIR server serves (anyone)")
    @Get("/metadata")
    @Secured(SecurityRule.IS_ANONYMOUS)
    public HttpResponse<Map<String, Object>> metadata(HttpRequest<?> request) {
        return fhir(FhirResources.capabilityStatement(base(request), Clock.now()));
    }

    @Operation(summary = "The project's own purpose codes, whose canonical URL is " + FhirResources.PURPOSE_SYSTEM + " (anyone)")
    @Get("/CodeSystem/purpose")
    @Secured(SecurityRule.IS_ANONYMOUS)
    public HttpResponse<Map<String, Object>> purposes() {
        return fhir(FhirResources.purposeCodeSystem());
    }

    @Operation(summary = "Consents: one per patient and application (PATIENT own, APPLICATION about itself, REGULATOR with a reason)")
    @Get("/Consent")
    @Secured({Roles.PATIENT, Roles.APPLICATION, Roles.REGULATOR})
    public HttpResponse<Map<String, Object>> consents(HttpRequest<?> request, Authentication authentication) {
        Map<String, List<String>> params = params(request, Set.of("patient", "reason"));
        Reader reader = reader(authentication, params);
        PatientId patient = patient(authentication, params);
        List<Map<String, Object>> found = fhir.consents(reader, patient);
        return fhir(FhirResources.searchset(base(request), found, found.size(), self(request), null));
    }

    @Operation(summary = "One Consent, by its id <application>.<patient> (same roles as the search)")
    @Get("/Consent/{id}")
    @Secured({Roles.PATIENT, Roles.APPLICATION, Roles.REGULATOR})
    public HttpResponse<Map<String, Object>> consent(HttpRequest<?> request, Authentication authentication,
                                                     @PathVariable String id) {
        Map<String, List<String>> params = params(request, Set.of("reason"));
        Reader reader = reader(authentication, params);
        return fhir(fhir.consent(reader, id).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "not-found",
                "no Consent '" + id + "' that you may read", List.of())));
    }

    @Operation(summary = "Access records as AuditEvents (IHE BALP), newest first, paged (same roles)")
    @Get("/AuditEvent")
    @Secured({Roles.PATIENT, Roles.APPLICATION, Roles.REGULATOR})
    public HttpResponse<Map<String, Object>> auditEvents(HttpRequest<?> request, Authentication authentication) {
        Map<String, List<String>> params = params(request, Set.of("patient", "date", "reason", "_count", "_offset"));
        Reader reader = reader(authentication, params);
        PatientId patient = patient(authentication, params);
        Input input = new Input();
        Instant from = null;
        Instant to = null;
        for (String date : params.getOrDefault("date", List.of())) {
            String prefix = date.length() > 2 ? date.substring(0, 2) : "";
            String value = date.substring(prefix.isEmpty() ? 0 : 2);
            try {
                switch (prefix) {
                    case "ge", "gt" -> from = instant(value, prefix.equals("gt"));
                    case "le", "lt" -> to = instant(value, prefix.equals("le"));
                    default -> input.problem("date", "takes a prefix ge, gt, le or lt, as in date=ge2026-11-01");
                }
            } catch (DateTimeParseException e) {
                input.problem("date", "must be a date (2026-11-01) or a UTC time (2026-11-01T08:00:00Z) after its prefix");
            }
        }
        int count = number(input, params, "_count", DEFAULT_COUNT, 1, MAX_COUNT);
        int offset = number(input, params, "_offset", 0, 0, 1_000_000);
        input.check();
        if (offset % count != 0) {
            throw ApiException.invalid("_offset", "must be a multiple of _count");
        }
        Paging.Request page = new Paging.Request(offset / count, count);
        AuditPage found = fhir.auditEvents(reader, patient, from, to, page);
        String next = offset + count < found.total() ? link(request, params, offset + count) : null;
        return fhir(FhirResources.searchset(base(request), found.events(), found.total(), link(request, params, offset),
                next));
    }

    private static HttpResponse<Map<String, Object>> fhir(Map<String, Object> resource) {
        return HttpResponse.ok(resource).contentType(MediaType.of(FHIR_JSON));
    }

    /** The query's parameters; any this server does not support is refused. */
    private static Map<String, List<String>> params(HttpRequest<?> request, Set<String> supported) {
        Map<String, List<String>> all = new java.util.LinkedHashMap<>();
        for (String name : request.getParameters().names()) {
            if (!supported.contains(name)) {
                throw ApiException.invalid(name, "is not a search parameter this server supports; it supports "
                        + String.join(", ", new java.util.TreeSet<>(supported)));
            }
            all.put(name, request.getParameters().getAll(name));
        }
        return all;
    }

    private static Reader reader(Authentication authentication, Map<String, List<String>> params) {
        if (authentication.getRoles().contains(Roles.REGULATOR)) {
            return new Reader(null, null, Callers.regulator(authentication), Params.reason(single(params, "reason")));
        }
        if (params.containsKey("reason")) {
            throw ApiException.invalid("reason", "is for regulators");
        }
        if (authentication.getRoles().contains(Roles.APPLICATION)) {
            return new Reader(null, Callers.application(authentication), null, null);
        }
        return Reader.patient(Callers.patient(authentication).patient());
    }

    /** The patient searched for: a patient's own (by default); required of applications and regulators. */
    private static PatientId patient(Authentication authentication, Map<String, List<String>> params) {
        String patient = single(params, "patient");
        if (patient != null && patient.startsWith("Patient/")) {
            patient = patient.substring("Patient/".length());
        }
        if (authentication.getRoles().contains(Roles.PATIENT)) {
            PatientId self = Callers.patient(authentication).patient();
            if (patient != null && !patient.equals(self.value())) {
                throw ApiException.forbidden("a patient reads only their own data");
            }
            return self;
        }
        if (patient == null || !PatientId.isValid(patient)) {
            throw ApiException.invalid("patient", "is required: the patient's id, matching " + PatientId.PATTERN);
        }
        return PatientId.of(patient);
    }

    private static String single(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiException.invalid(name, "is given once");
        }
        return values.get(0);
    }

    private static int number(Input input, Map<String, List<String>> params, String name, int otherwise, int min,
                              int max) {
        String value = single(params, name);
        if (value == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        input.problem(name, "must be a whole number from " + min + " to " + max);
        return otherwise;
    }

    /** A day as a bound is the whole day: ge/gt from its start, le/lt up to its end or start. */
    private static Instant instant(String value, boolean pastTheDay) {
        if (value.length() == 10) {
            LocalDate day = LocalDate.parse(value);
            return (pastTheDay ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        Instant at = Instant.parse(value);
        return pastTheDay ? at.plusNanos(1000) : at;
    }

    private static String base(HttpRequest<?> request) {
        String host = request.getHeaders().get("Host");
        return (host == null ? "" : "http://" + host) + "/fhir/r4";
    }

    private static String self(HttpRequest<?> request) {
        return base(request) + request.getPath().substring("/fhir/r4".length())
                + (request.getUri().getRawQuery() == null ? "" : "?" + request.getUri().getRawQuery());
    }

    private static String link(HttpRequest<?> request, Map<String, List<String>> params, int offset) {
        StringBuilder query = new StringBuilder();
        params.forEach((name, values) -> {
            if (!name.equals("_offset")) {
                values.forEach(v -> query.append(query.length() == 0 ? "" : "&").append(name).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            }
        });
        query.append(query.length() == 0 ? "" : "&").append("_offset=").append(offset);
        return base(request) + "/AuditEvent?" + query;
    }
}
