package health.consent.service.decision;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationTerms;
import health.consent.model.PatientConsents;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.PurposeConsent;
import health.consent.model.wire.DecisionAnswer;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.DeclarationCache;
import health.consent.service.consent.ConsentRepository;
import health.consent.service.consent.ConsentRepository.CohortConsent;
import health.consent.service.db.Transactions;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Answers applications: may I process this patient's data for this purpose? Every answer is the
 * model's ({@link PatientConsents#decide}), from the application's terms and the patient's decisions.
 */
@Singleton
public class DecisionService {

    private final Transactions transactions;
    private final DeclarationCache declarations;
    private final ConsentRepository consents;
    private final DecisionCache cache;

    public DecisionService(Transactions transactions, DeclarationCache declarations, ConsentRepository consents,
                           DecisionCache cache) {
        this.transactions = transactions;
        this.declarations = declarations;
        this.consents = consents;
        this.cache = cache;
    }

    /** The answer if this instance has it in memory, else null: costs no I/O, so it may run on the event loop. */
    public DecisionAnswer cached(ApplicationId application, PatientId patient, Purpose purpose) {
        return cache.get(application, patient, purpose);
    }

    public DecisionAnswer decide(ApplicationId application, PatientId patient, Purpose purpose) {
        DecisionAnswer cached = cached(application, patient, purpose);
        if (cached != null) {
            return cached;
        }
        long epoch = cache.epoch(application);
        // One statement (the terms are in memory), so no transaction: a miss costs one round trip.
        ApplicationTerms terms = terms(application);
        PatientConsents mine = PatientConsents.of(patient, application, terms,
                terms == null ? List.of() : consents.forApplication(patient, application));
        DecisionAnswer answer = DecisionAnswer.of(mine.decide(purpose), mine.versionShown(purpose));
        cache.put(application, patient, purpose, answer, epoch);
        return answer;
    }

    /** The patients among {@code patientIds} (already validated, duplicates allowed) that permit the purpose, in input order. */
    public List<String> filter(ApplicationId application, Purpose purpose, List<String> patientIds) {
        return transactions.read(() -> {
            ApplicationTerms terms = terms(application);
            if (ApplicationTerms.uniformDecision(terms, purpose).isPresent()) {
                // Unknown, suspended, or not declared: nobody permits.
                return List.of();
            }
            List<String> distinct = new ArrayList<>(new LinkedHashSet<>(patientIds));
            Map<String, List<PurposeConsent>> byPatient = new HashMap<>();
            for (CohortConsent c : consents.cohort(application, purpose, distinct)) {
                byPatient.computeIfAbsent(c.patientId(), k -> new ArrayList<>(2)).add(c.consent());
            }
            List<String> permitted = new ArrayList<>();
            for (String patient : distinct) {
                List<PurposeConsent> decided = byPatient.get(patient);
                if (decided != null && PatientConsents.of(PatientId.of(patient), application, terms, decided)
                        .decide(purpose).permitted()) {
                    permitted.add(patient);
                }
            }
            return permitted;
        });
    }

    private ApplicationTerms terms(ApplicationId application) {
        return declarations.find(application).map(Application::terms).orElse(null);
    }
}
