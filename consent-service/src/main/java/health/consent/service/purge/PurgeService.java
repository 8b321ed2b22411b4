package health.consent.service.purge;

import health.consent.model.ApplicationId;
import health.consent.model.ConsentEvent;
import health.consent.service.db.Clock;
import health.consent.service.db.Paging;
import health.consent.service.db.Transactions;
import health.consent.service.outcome.Refusal;
import health.consent.service.outcome.Result;
import health.consent.service.purge.PurgeRepository.Obligation;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Purge obligations: created with the consent event that makes the erasure owed (in its transaction),
 * carried by the change feed, confirmed by the application that owes it.
 */
@Singleton
public class PurgeService {

    private final Transactions transactions;
    private final PurgeRepository repository;

    public PurgeService(Transactions transactions, PurgeRepository repository) {
        this.transactions = transactions;
        this.repository = repository;
    }

    /** An obligation as the application that owes it, or the patient it concerns, reads it. */
    @Serdeable
    public record PurgeView(String id, String patientId, String applicationId, String purpose, Instant createdAt,
                            Instant confirmedAt) {

        public static PurgeView of(Obligation o) {
            return new PurgeView(o.id(), o.patientId(), o.applicationId(), o.purpose().name(), o.createdAt(),
                    o.confirmedAt());
        }
    }

    /**
     * In the events' transaction: the obligations the stored events create (those whose
     * {@link ConsentEvent#createsPurgeObligation} holds), in one batch; returns their ids by event seq.
     */
    public Map<Long, String> oweAll(List<ConsentEvent> stored) {
        Map<Long, String> owed = new HashMap<>();
        List<Obligation> obligations = new ArrayList<>();
        for (ConsentEvent e : stored) {
            if (e.createsPurgeObligation()) {
                String id = UUID.randomUUID().toString();
                owed.put(e.seq(), id);
                obligations.add(new Obligation(id, e.patient().value(), e.application().value(), e.purpose(), e.seq(),
                        e.at(), null));
            }
        }
        repository.insertAll(obligations);
        return owed;
    }

    /**
     * The application confirms the erasure. Idempotent: a second confirmation answers the first's
     * time. Another application's obligation, or none, is the same 404.
     */
    public Result<PurgeView> confirm(ApplicationId application, String id) {
        return transactions.write(() -> {
            Obligation o = repository.lockOwn(application, id).orElse(null);
            if (o == null) {
                return Result.refused(Refusal.notFound("no purge obligation '" + id + "' for this application"));
            }
            if (o.confirmedAt() != null) {
                return Result.ok(PurgeView.of(o));
            }
            Instant now = Clock.now();
            repository.confirm(id, now);
            return Result.ok(PurgeView.of(new Obligation(o.id(), o.patientId(), o.applicationId(), o.purpose(),
                    o.eventSeq(), o.createdAt(), now)));
        });
    }

    /** The application's pending obligations, oldest first. */
    public Paging<PurgeView> pending(ApplicationId application, Paging.Request page) {
        return transactions.read(() -> Paging.of(repository.pending(application, page.size(), page.offset()).stream()
                .map(PurgeView::of).toList(), page, repository.countPending(application)));
    }
}
