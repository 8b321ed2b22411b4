package health.consent.service.fhir;

import static health.consent.service.fhir.FhirJson.coding;
import static health.consent.service.fhir.FhirJson.concept;
import static health.consent.service.fhir.FhirJson.object;
import static health.consent.service.fhir.FhirJson.reference;

import health.consent.model.AccessRecord;
import health.consent.model.AccessorType;
import health.consent.model.ActorType;
import health.consent.model.ConsentEvent;
import health.consent.model.ConsentState;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.PurposeConsent;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.Catalogue.DeclaredPurpose;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The service's data as FHIR R4 resources, written as plain JSON objects (no FHIR library at run
 * time): a Consent per patient and application after the IHE Privacy Consent on FHIR profile, an
 * AuditEvent per access record after IHE Basic Audit Log Patterns (patient read), the
 * CapabilityStatement and Bundles (OperationOutcomes are the web layer's, {@code web/OperationOutcomes}).
 */
public final class FhirResources {

    /** The project's identifier systems and code system, under its canonical base. */
    public static final String BASE = "https://consent.example/fhir";
    public static final String PATIENT_SYSTEM = BASE + "/sid/patient";
    public static final String APPLICATION_SYSTEM = BASE + "/sid/application";
    public static final String ACTOR_SYSTEM = BASE + "/sid/actor";
    public static final String PURPOSE_SYSTEM = BASE + "/CodeSystem/purpose";
    static final String ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    static final String PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

    private FhirResources() {
    }

    /** The purpose as a coding: v3 ActReason where one fits (TREAT, HRESCH), the project's own otherwise. */
    static FhirJson purpose(Purpose purpose) {
        return switch (purpose) {
            case CARE -> coding(ACT_REASON, "TREAT", "treatment");
            case STATISTICS -> coding(ACT_REASON, "HRESCH", "healthcare research");
            case SERVICE_IMPROVEMENT -> coding(PURPOSE_SYSTEM, "SERVICE_IMPROVEMENT", "service improvement");
            case COMMERCIALISATION -> coding(PURPOSE_SYSTEM, "COMMERCIALISATION", "commercialisation");
        };
    }

    /**
     * The Consent's id: {@code <application>.<patient>} when that is a valid FHIR id (64 of
     * {@code [A-Za-z0-9.-]}), else {@code h} and 40 hex digits of a hash (found by search only).
     */
    public static String consentId(String applicationId, String patientId) {
        String plain = applicationId + "." + patientId;
        if (plain.length() <= 64 && plain.matches("[A-Za-z0-9.-]+")) {
            return plain;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(plain.getBytes(StandardCharsets.UTF_8));
            return "h" + HexFormat.of().formatHex(hash, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One patient's consent to one application: deny at the base, a nested permit per purpose granted
     * now (with its period when time-boxed), the application as the actor, the notices decided on as
     * policies, and who decided last as the performer.
     */
    public static Map<String, Object> consent(Application app, String patientId, List<PurposeConsent> decided,
                                              ConsentEvent last) {
        List<FhirJson> permits = new ArrayList<>();
        List<FhirJson> policies = new ArrayList<>();
        Instant latest = null;
        for (PurposeConsent c : decided) {
            if (!c.isSet()) {
                continue;
            }
            latest = latest == null || (c.updatedAt() != null && c.updatedAt().isAfter(latest)) ? c.updatedAt() : latest;
            DeclaredPurpose declared = app.purpose(c.purpose()).orElse(null);
            policies.add(object().put("uri", BASE + "/notice/" + app.id() + "/" + c.purpose() + "/" + c.noticeVersion()));
            boolean current = declared != null && (c.purpose().isPrimary() || c.noticeVersion() >= declared.noticeVersion());
            if (c.state() == ConsentState.GRANTED && current) {
                FhirJson permit = object().put("type", "permit").put("purpose", List.of(purpose(c.purpose())));
                if (c.expiresAt() != null) {
                    permit.put("period", object().put("start", text(c.updatedAt())).put("end", text(c.expiresAt())));
                }
                permits.add(permit);
            }
        }
        FhirJson performer = last == null ? reference(PATIENT_SYSTEM, patientId, null)
                : last.decidedBy().type() == ActorType.REPRESENTATIVE
                ? reference(ACTOR_SYSTEM, last.decidedBy().id(), "representative of " + patientId)
                : reference(PATIENT_SYSTEM, patientId, null);
        FhirJson actor = object()
                .put("role", concept(PARTICIPATION, "IRCP", "information recipient"))
                .put("reference", reference(APPLICATION_SYSTEM, app.id(), app.name()));
        return object()
                .put("resourceType", "Consent")
                .put("id", consentId(app.id(), patientId))
                .put("meta", object().put("lastUpdated", text(latest)))
                .put("status", permits.isEmpty() ? "inactive" : "active")
                .put("scope", concept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy",
                        "Privacy Consent"))
                .put("category", List.of(concept("http://loinc.org", "59284-0", "Patient Consent")))
                .put("patient", reference(PATIENT_SYSTEM, patientId, null))
                .put("dateTime", text(latest))
                .put("performer", List.of(performer))
                .put("organization", List.of(object().put("display", app.publisher())))
                .put("policy", policies)
                .put("provision", object().put("type", "deny").put("actor", List.of(actor)).put("provision", permits))
                .build();
    }

    /** An access record as an AuditEvent after IHE BALP's patient read (or a regulator's query). */
    public static Map<String, Object> auditEvent(AccessRecord r, String applicationName) {
        boolean application = r.accessorType() == AccessorType.APPLICATION;
        List<FhirJson> agents = new ArrayList<>();
        agents.add(object()
                .put("type", concept("http://dicom.nema.org/resources/ontology/DCM", application ? "110150" : "110152",
                        application ? "Application" : "Destination Role ID"))
                .put("who", reference(application ? APPLICATION_SYSTEM : ACTOR_SYSTEM, r.applicationId(),
                        application ? applicationName : "regulator"))
                .put("requestor", false));
        agents.add(object()
                .put("type", concept("http://terminology.hl7.org/CodeSystem/extra-security-role-type", "humanuser",
                        "human user"))
                .put("who", reference(ACTOR_SYSTEM, r.actor(), r.actor()))
                .put("requestor", true));
        FhirJson reason = application ? purpose(r.purpose()) : coding(PURPOSE_SYSTEM, "SUPERVISION", "supervision");
        return object()
                .put("resourceType", "AuditEvent")
                .put("id", r.id())
                .put("type", coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"))
                .put("subtype", List.of(coding("http://hl7.org/fhir/restful-interaction", application ? "read" : "search-type",
                        application ? "read" : "search-type")))
                .put("action", application ? "R" : "E")
                .put("recorded", text(r.at()))
                .put("outcome", r.outcome() == Outcome.PERMIT ? "0" : "4")
                .put("outcomeDesc", r.outcome() == Outcome.PERMIT ? null : "consent denied")
                .put("purposeOfEvent", List.of(object().put("coding", List.of(reason)).put("text", r.reason())))
                .put("agent", agents)
                .put("source", object()
                        .put("observer", object().put("display", "consent service"))
                        .put("type", List.of(coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4",
                                "Application Server"))))
                .put("entity", List.of(
                        object().put("what", reference(PATIENT_SYSTEM, r.patientId(), null))
                                .put("type", coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"))
                                .put("role", coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient")),
                        object().put("what", object().put("identifier", object().put("value", r.dataCategory())))
                                .put("type", coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2",
                                        "System Object"))
                                .put("description", "data category " + r.dataCategory())))
                .build();
    }

    /** A searchset Bundle, with its self and next links. */
    public static Map<String, Object> searchset(String base, List<Map<String, Object>> resources, long total,
                                                String self, String next) {
        List<FhirJson> links = new ArrayList<>();
        links.add(object().put("relation", "self").put("url", self));
        if (next != null) {
            links.add(object().put("relation", "next").put("url", next));
        }
        List<FhirJson> entries = new ArrayList<>();
        for (Map<String, Object> r : resources) {
            entries.add(object().put("fullUrl", base + "/" + r.get("resourceType") + "/" + r.get("id"))
                    .put("resource", r).put("search", object().put("mode", "match")));
        }
        return object().put("resourceType", "Bundle").put("type", "searchset").put("total", total)
                .put("link", links).put("entry", entries).build();
    }

    /** The project's own purposes, for those v3 ActReason has no code for. */
    public static Map<String, Object> purposeCodeSystem() {
        return object()
                .put("resourceType", "CodeSystem")
                .put("id", "purpose")
                .put("url", PURPOSE_SYSTEM)
                .put("name", "ConsentPurpose")
                .put("title", "Purposes of processing that v3 ActReason does not name")
                .put("status", "active")
                .put("content", "complete")
                .put("caseSensitive", true)
                .put("concept", List.of(
                        object().put("code", "SERVICE_IMPROVEMENT").put("display", "service improvement")
                                .put("definition", "Improving the application from how it is used"),
                        object().put("code", "COMMERCIALISATION").put("display", "commercialisation")
                                .put("definition", "Selling or licensing the data, even without the patient's name"),
                        object().put("code", "SUPERVISION").put("display", "supervision")
                                .put("definition", "A supervisory authority reading the trail")))
                .build();
    }

    /** What this server serves, and nothing more. */
    public static Map<String, Object> capabilityStatement(String base, Instant date) {
        FhirJson consent = object().put("type", "Consent")
                .put("interaction", List.of(object().put("code", "read"), object().put("code", "search-type")))
                .put("searchParam", List.of(
                        object().put("name", "patient").put("type", "reference")
                                .put("documentation", "the patient's id (required for applications and regulators)"),
                        object().put("name", "reason").put("type", "string")
                                .put("documentation", "regulators: why they read (recorded in the patient's log)")));
        FhirJson audit = object().put("type", "AuditEvent")
                .put("interaction", List.of(object().put("code", "search-type")))
                .put("searchParam", List.of(
                        object().put("name", "patient").put("type", "reference"),
                        object().put("name", "date").put("type", "date")
                                .put("documentation", "ge, gt, le, lt on the access's time"),
                        object().put("name", "reason").put("type", "string"),
                        object().put("name", "_count").put("type", "number")));
        return object()
                .put("resourceType", "CapabilityStatement")
                .put("status", "active")
                .put("date", text(date))
                .put("kind", "instance")
                .put("implementation", object().put("description", "Consent service: consents and access records")
                        .put("url", base))
                .put("fhirVersion", "4.0.1")
                .put("format", List.of("application/fhir+json"))
                .put("rest", List.of(object()
                        .put("mode", "server")
                        .put("security", object().put("description",
                                "Bearer tokens: a PATIENT reads their own; an APPLICATION what concerns it; a REGULATOR "
                                        + "any, giving a reason"))
                        .put("resource", List.of(consent, audit, object().put("type", "CodeSystem")
                                .put("interaction", List.of(object().put("code", "read")))))))
                .build();
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }
}
