package health.consent.service.fhir;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.Test;

/**
 * FHIR R4 over HTTP on both databases: every resource received is validated by HAPI FHIR's
 * validator against the R4 base (zero errors expected), and HAPI's generic client reads the server.
 */
class FhirApiTest extends OnBothDatabases {

    private static final FhirContext FHIR = FhirContext.forR4();
    private static final FhirValidator VALIDATOR = validator();
    private static final String REASON = "reason=Inspection%20through%20FHIR%202026";

    private static FhirValidator validator() {
        ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(FHIR),
                new InMemoryTerminologyServerValidationSupport(FHIR), new CommonCodeSystemsTerminologyService(FHIR),
                new SnapshotGeneratingValidationSupport(FHIR));
        return FHIR.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));
    }

    /** Fails with the validator's errors, if any. */
    private static Res valid(Res res) {
        assertThat(res.contentType()).startsWith("application/fhir+json");
        List<SingleValidationMessage> errors = VALIDATOR.validateWithResult(res.body()).getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                .toList();
        assertThat(errors).as(res.body()).isEmpty();
        return res;
    }

    private static Res fhir(String path, String token) {
        return api.get("/fhir/r4" + path, token);
    }

    private static List<JsonNode> resources(Res bundle) {
        return bundle.list("entry").stream().map(e -> e.get("resource")).toList();
    }

    @Test
    void the_validator_used_here_does_find_errors() {
        String broken = "{\"resourceType\": \"Consent\", \"status\": \"maybe\", \"scope\": {}, \"category\": []}";
        assertThat(VALIDATOR.validateWithResult(broken).getMessages())
                .anyMatch(m -> m.getSeverity() == ResultSeverityEnum.ERROR);
    }

    @Test
    void the_capability_statement_is_public_valid_and_lists_what_is_served() {
        Res res = valid(fhir("/metadata", null));
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.body()).contains("\"Consent\"").contains("\"AuditEvent\"");
    }

    @Test
    void each_state_maps_to_a_valid_consent_deny_at_the_base_a_permit_per_current_grant() {
        String app = registerApplication(api, "STATISTICS", "SERVICE_IMPROVEMENT", "COMMERCIALISATION");
        String patient = newPatient();
        String token = Tokens.patient(patient);
        decide(api, token, app, "CARE", "GRANTED");
        Instant end = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        api.put("/api/v1/me/consents/" + app + "/STATISTICS", token,
                "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"expiresAt\": \"" + end + "\"}");
        decide(api, token, app, "SERVICE_IMPROVEMENT", "REFUSED");
        decide(api, token, app, "COMMERCIALISATION", "GRANTED");
        decide(api, token, app, "COMMERCIALISATION", "WITHDRAWN");

        Res bundle = valid(fhir("/Consent", token));
        assertThat(bundle.body()).contains(end.toString()).contains("59284-0").contains("patient-privacy");
        JsonNode consent = resources(bundle).stream()
                .filter(c -> c.get("id").getStringValue().startsWith(app + ".")).findFirst().orElseThrow();
        assertThat(consent.get("status").getStringValue()).isEqualTo("active");
        assertThat(consent.get("provision").get("type").getStringValue()).isEqualTo("deny");
        List<String> permitted = new java.util.ArrayList<>();
        consent.get("provision").get("provision").values().forEach(p -> {
            assertThat(p.get("type").getStringValue()).isEqualTo("permit");
            permitted.add(p.get("purpose").get(0).get("code").getStringValue());
        });
        assertThat(permitted).containsExactlyInAnyOrder("TREAT", "HRESCH");

        // A new notice for statistics: the grant no longer permits (re-consent required).
        api.put("/api/v1/applications/" + app + "/purposes/STATISTICS", Tokens.admin(),
                "{\"noticeVersion\": 2, \"notice\": {\"fr\": \"v2\", \"en\": \"v2\"}}");
        Res read = valid(fhir("/Consent/" + app + "." + patient, token));
        assertThat(read.at("provision.provision").size()).as("only care permits now").isEqualTo(1);
        assertThat(read.at("provision.provision[0].purpose[0].code").getStringValue()).isEqualTo("TREAT");

        // Care refused: inactive, nothing permitted.
        String refusing = newPatient();
        decide(api, Tokens.patient(refusing), app, "CARE", "REFUSED");
        JsonNode inactive = resources(valid(fhir("/Consent", Tokens.patient(refusing)))).get(0);
        assertThat(inactive.get("status").getStringValue()).isEqualTo("inactive");
        assertThat(inactive.get("provision").get("provision")).isNull();
    }

    @Test
    void an_expired_grant_permits_nothing_and_the_purpose_code_system_is_published() {
        String app = registerApplication(api, "SERVICE_IMPROVEMENT");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        api.put("/api/v1/me/consents/" + app + "/SERVICE_IMPROVEMENT", Tokens.patient(patient),
                "{\"state\": \"GRANTED\", \"noticeVersion\": 1, \"expiresAt\": \"" + Instant.now().plusSeconds(1) + "\"}");
        assertThat(valid(fhir("/Consent/" + app + "." + patient, Tokens.patient(patient))).at("provision.provision").size())
                .isEqualTo(2);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> "EXPIRED".equals(
                api.get("/api/v1/decisions/" + patient + "/SERVICE_IMPROVEMENT", Tokens.application(app)).str("reason")));
        Res expired = valid(fhir("/Consent/" + app + "." + patient, Tokens.patient(patient)));
        assertThat(expired.at("provision.provision").size()).as("care only").isEqualTo(1);
        Res codes = valid(fhir("/CodeSystem/purpose", null));
        assertThat(codes.str("url")).isEqualTo(FhirResources.PURPOSE_SYSTEM);
        assertThat(codes.body()).contains("SERVICE_IMPROVEMENT").contains("COMMERCIALISATION");
    }

    @Test
    void a_representative_is_the_performer_and_a_consent_is_read_by_its_id_by_those_who_may() {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.representative(patient, "rep-claire"), app, "CARE", "GRANTED");
        Res read = valid(fhir("/Consent/" + app + "." + patient, Tokens.patient(patient)));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("performer").get(0).get("identifier").get("value").getStringValue()).isEqualTo("rep-claire");

        Res other = fhir("/Consent/" + app + "." + patient, Tokens.patient(newPatient()));
        assertThat(other.status()).isEqualTo(404);
        valid(other);
        assertThat(valid(fhir("/Consent/" + app + "." + patient, Tokens.application(app))).status()).isEqualTo(200);
        assertThat(fhir("/Consent/" + app + "." + patient, Tokens.application("app-someone-else")).status()).isEqualTo(404);
        assertThat(valid(fhir("/Consent?patient=" + patient, Tokens.application(app))).list("entry")).hasSize(1);

        Res noReason = fhir("/Consent?patient=" + patient, Tokens.regulator());
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(valid(noReason).body()).contains("OperationOutcome").contains("reason");
        assertThat(valid(fhir("/Consent?patient=" + patient + "&" + REASON, Tokens.regulator())).list("entry")).hasSize(1);
        assertThat(api.get("/api/v1/me/access-log", Tokens.patient(patient)).list("items"))
                .anySatisfy(r -> assertThat(r.get("dataCategory").getStringValue()).isEqualTo("fhir-consent"));
    }

    @Test
    void access_records_are_valid_audit_events_paged_with_links_and_unsupported_parameters_are_refused() {
        String app = registerApplication(api);
        String patient = newPatient();
        for (int i = 0; i < 5; i++) {
            api.post("/api/v1/access-records", Tokens.application(app), """
                    [{"id": "%s", "patientId": "%s", "purpose": "CARE", "actor": "dr-martin", "dataCategory": "vitals",
                      "outcome": "%s", "at": "%s"}]""".formatted(UUID.randomUUID(), patient, i == 0 ? "DENY" : "PERMIT",
                    Instant.now().minusSeconds(60 - i)));
        }
        Res first = valid(fhir("/AuditEvent?patient=" + patient + "&_count=2&date=ge2020-01-01", Tokens.patient(patient)));
        assertThat(first.num("total")).isEqualTo(5);
        assertThat(first.list("entry")).hasSize(2);
        JsonNode next = first.list("link").stream().filter(l -> l.get("relation").getStringValue().equals("next"))
                .findFirst().orElseThrow();
        String path = next.get("url").getStringValue().replaceFirst("^http://[^/]+", "");
        assertThat(valid(api.get(path, Tokens.patient(patient))).list("entry")).hasSize(2);
        assertThat(valid(fhir("/AuditEvent?patient=" + patient + "&date=lt2020-01-01", Tokens.patient(patient)))
                .num("total")).isZero();

        Res unsupported = fhir("/AuditEvent?patient=" + patient + "&code=x", Tokens.patient(patient));
        assertThat(unsupported.status()).isEqualTo(400);
        assertThat(valid(unsupported).body()).contains("code");
        Res badDate = fhir("/AuditEvent?date=yesterday", Tokens.patient(patient));
        assertThat(badDate.status()).isEqualTo(400);
        valid(badDate);
        assertThat(fhir("/AuditEvent?patient=" + patient, Tokens.patient(newPatient())).status()).isEqualTo(403);
        assertThat(fhir("/AuditEvent?patient=" + patient, null).status()).isEqualTo(401);
    }

    @Test
    void hapis_generic_client_reads_the_server_as_any_fhir_server() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        for (int i = 0; i < 3; i++) {
            api.post("/api/v1/access-records", Tokens.application(app), """
                    [{"id": "%s", "patientId": "%s", "purpose": "CARE", "actor": "dr-martin", "dataCategory": "vitals",
                      "outcome": "PERMIT", "at": "%s"}]""".formatted(UUID.randomUUID(), patient, Instant.now()));
        }
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient(service.uri() + "/fhir/r4");
        client.registerInterceptor(new BearerTokenAuthInterceptor(Tokens.application(app)));
        Bundle consents = client.search().forResource(Consent.class).where(Consent.PATIENT.hasId(patient))
                .returnBundle(Bundle.class).execute();
        assertThat(consents.getEntry()).singleElement().satisfies(e ->
                assertThat(((Consent) e.getResource()).getStatus()).isEqualTo(Consent.ConsentState.ACTIVE));
        Bundle page = client.search().forResource(AuditEvent.class).where(AuditEvent.PATIENT.hasId(patient)).count(2)
                .returnBundle(Bundle.class).execute();
        assertThat(page.getEntry()).hasSize(2);
        Bundle rest = client.loadPage().next(page).execute();
        assertThat(rest.getEntry()).singleElement().satisfies(e ->
                assertThat(((AuditEvent) e.getResource()).getAction()).isEqualTo(AuditEvent.AuditEventAction.R));
    }
}
