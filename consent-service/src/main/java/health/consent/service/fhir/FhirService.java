package health.consent.service.fhir;

import health.consent.model.AccessRecord;
import health.consent.model.ApplicationId;
import health.consent.model.ConsentEvent;
import health.consent.model.PatientId;
import health.consent.model.PurposeConsent;
import health.consent.service.access.AccessRecordRepository;
import health.consent.service.access.RegulatorReads;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.CatalogueService;
import health.consent.service.consent.ConsentRepository;
import health.consent.service.consent.ConsentRepository.Stored;
import health.consent.service.db.Filters;
import health.consent.service.db.Paging;
import health.consent.service.db.Transactions;
import health.consent.service.security.Callers.RegulatorCaller;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * FHIR reads, with the JSON API's rules: a patient reads their own; an application what concerns
 * it; a regulator any patient's, and each read is recorded in the patient's log with its reason.
 */
@Singleton
public class FhirService {

    private final Transactions transactions;
    private final ConsentRepository consents;
    private final AccessRecordRepository records;
    private final CatalogueService catalogue;
    private final RegulatorReads regulatorReads;

    public FhirService(Transactions transactions, ConsentRepository consents, AccessRecordRepository records,
                       CatalogueService catalogue, RegulatorReads regulatorReads) {
        this.transactions = transactions;
        this.regulatorReads = regulatorReads;
        this.consents = consents;
        this.records = records;
        this.catalogue = catalogue;
    }

    /** Who reads: the patient, the application (only what concerns it), or a regulator with their reason. */
    public record Reader(PatientId patient, ApplicationId application, RegulatorCaller regulator, String reason) {

        static Reader patient(PatientId patient) {
            return new Reader(patient, null, null, null);
        }
    }

    /** The patient's Consents (one per application they decided about) that the reader may see. */
    public List<Map<String, Object>> consents(Reader reader, PatientId patient) {
        return transactions.write(() -> {
            recordRead(reader, patient, "fhir-consent");
            List<Map<String, Object>> out = new ArrayList<>();
            Map<ApplicationId, List<PurposeConsent>> byApplication = consents.forPatient(patient).stream()
                    .collect(Collectors.groupingBy(Stored::application,
                            Collectors.mapping(Stored::consent, Collectors.toList())));
            for (Application app : catalogue.all()) {
                ApplicationId id = ApplicationId.of(app.id());
                List<PurposeConsent> decided = byApplication.get(id);
                if (decided == null || (reader.application() != null && !reader.application().equals(id))) {
                    continue;
                }
                out.add(FhirResources.consent(app, patient.value(), decided, lastEvent(patient, id)));
            }
            return out;
        });
    }

    /** One Consent by its id ({@code <application>.<patient>}), if the reader may see it. */
    public Optional<Map<String, Object>> consent(Reader reader, String id) {
        int dot = id.indexOf('.');
        if (dot < 1 || !ApplicationId.isValid(id.substring(0, dot)) || !PatientId.isValid(id.substring(dot + 1))) {
            return Optional.empty();
        }
        ApplicationId application = ApplicationId.of(id.substring(0, dot));
        PatientId patient = PatientId.of(id.substring(dot + 1));
        if ((reader.patient() != null && !reader.patient().equals(patient))
                || (reader.application() != null && !reader.application().equals(application))) {
            return Optional.empty();
        }
        return transactions.write(() -> {
            Optional<Application> app = catalogue.find(application);
            List<PurposeConsent> decided = app.isEmpty() ? List.of() : consents.forApplication(patient, application);
            if (decided.isEmpty()) {
                return Optional.<Map<String, Object>>empty();
            }
            recordRead(reader, patient, "fhir-consent");
            return Optional.of(FhirResources.consent(app.get(), patient.value(), decided, lastEvent(patient, application)));
        });
    }

    /** A page of the patient's access records as AuditEvents, newest first, and how many there are. */
    public record AuditPage(List<Map<String, Object>> events, long total) {
    }

    public AuditPage auditEvents(Reader reader, PatientId patient, Instant from, Instant to, Paging.Request page) {
        Filters filters = new Filters(reader.application(), patient, null, from, to);
        Map<String, String> names = catalogue.all().stream()
                .collect(Collectors.toMap(Application::id, Application::name));
        List<AccessRecord> rows = new ArrayList<>();
        long total = transactions.lagging(() -> {
            rows.clear();
            AccessRecordRepository.Found found = records.find(filters, page);
            rows.addAll(found.items());
            return found.total();
        });
        transactions.write(() -> {
            recordRead(reader, patient, "fhir-audit-event");
            return null;
        });
        return new AuditPage(rows.stream().map(r -> FhirResources.auditEvent(r, names.get(r.applicationId())))
                .toList(), total);
    }

    private ConsentEvent lastEvent(PatientId patient, ApplicationId application) {
        return consents.lastEventOf(patient, application).orElse(null);
    }

    /** A regulator's read is recorded in the patient's log with its reason, in the read's transaction. */
    private void recordRead(Reader reader, PatientId patient, String category) {
        if (reader.regulator() != null) {
            regulatorReads.record(reader.regulator(), List.of(patient), category, reader.reason());
        }
    }
}
