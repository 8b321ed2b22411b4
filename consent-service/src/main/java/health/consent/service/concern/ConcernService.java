package health.consent.service.concern;

import health.consent.model.ApplicationId;
import health.consent.service.catalogue.CatalogueService;
import health.consent.service.concern.ConcernRepository.Concern;
import health.consent.service.db.Clock;
import health.consent.service.db.Paging;
import health.consent.service.db.Transactions;
import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import health.consent.service.security.Callers.PatientCaller;
import health.consent.service.security.Callers.RegulatorCaller;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.UUID;

/**
 * Patients' ethics concerns about an application, and their triage by regulators: RECEIVED, then
 * UNDER_REVIEW, then ANSWERED with an answer the patient reads (final).
 */
@Singleton
public class ConcernService {

    private final Transactions transactions;
    private final ConcernRepository repository;
    private final CatalogueService catalogue;

    public ConcernService(Transactions transactions, ConcernRepository repository, CatalogueService catalogue) {
        this.transactions = transactions;
        this.repository = repository;
        this.catalogue = catalogue;
    }

    /** A concern as its patient reads it. */
    @Serdeable
    public record PatientConcern(String id, String applicationId, ConcernCategory category, String text,
                                 ConcernStatus status, String answer, Instant createdAt, Instant updatedAt) {

        public static PatientConcern of(Concern c) {
            return new PatientConcern(c.id(), c.applicationId(), c.category(), c.text(), c.status(), c.answer(),
                    c.createdAt(), c.updatedAt());
        }
    }

    /** A concern as regulators triage it. */
    @Serdeable
    public record RegulatorConcern(String id, String patientId, String filedBy, String applicationId,
                                   ConcernCategory category, String text, ConcernStatus status, String answer,
                                   String answeredBy, Instant createdAt, Instant updatedAt) {

        static RegulatorConcern of(Concern c) {
            return new RegulatorConcern(c.id(), c.patientId(), c.filedBy(), c.applicationId(), c.category(), c.text(),
                    c.status(), c.answer(), c.answeredBy(), c.createdAt(), c.updatedAt());
        }
    }

    /** What a patient reports. */
    public record NewConcern(ApplicationId application, ConcernCategory category, String text) {
    }

    /** What a regulator decides: the new status, and the answer when it is ANSWERED. */
    public record Triage(ConcernStatus status, String answer) {
    }

    public Result<PatientConcern> file(PatientCaller caller, NewConcern concern) {
        if (catalogue.find(concern.application()).isEmpty()) {
            return Result.refused(CatalogueService.notFound(concern.application()));
        }
        Instant now = Clock.now();
        Concern c = new Concern(UUID.randomUUID().toString(), caller.patient().value(), concern.application().value(),
                concern.category(), concern.text(), ConcernStatus.RECEIVED, null, caller.actorId(), null, now, now);
        transactions.write(() -> {
            repository.insert(c);
            return c;
        });
        return Result.ok(PatientConcern.of(c));
    }

    public Paging<PatientConcern> mine(PatientCaller caller, Paging.Request page) {
        String patient = caller.patient().value();
        return transactions.read(() -> Paging.of(repository.ofPatient(patient, page).stream()
                .map(PatientConcern::of).toList(), page, repository.countOfPatient(patient)));
    }

    public Paging<RegulatorConcern> find(ConcernStatus status, ApplicationId application, Paging.Request page) {
        String app = application == null ? null : application.value();
        return transactions.read(() -> Paging.of(repository.find(status, app, page).stream()
                .map(RegulatorConcern::of).toList(), page, repository.count(status, app)));
    }

    public Result<RegulatorConcern> triage(RegulatorCaller regulator, String id, Triage triage) {
        return transactions.write(() -> {
            Concern c = repository.lock(id).orElse(null);
            if (c == null) {
                return Result.refused(Refusal.notFound("no concern '" + id + "'"));
            }
            if (c.status() == ConcernStatus.ANSWERED) {
                return Result.refused(Refusal.conflict("concern-answered",
                        "this concern was answered on " + c.updatedAt() + "; an answer is final"));
            }
            Instant now = Clock.now();
            String answeredBy = triage.status() == ConcernStatus.ANSWERED ? regulator.actor() : null;
            repository.update(id, triage.status(), triage.answer(), answeredBy, now);
            return Result.ok(RegulatorConcern.of(new Concern(c.id(), c.patientId(), c.applicationId(), c.category(),
                    c.text(), triage.status(), triage.answer(), c.filedBy(), answeredBy, c.createdAt(), now)));
        });
    }
}
