package health.consent.service.events;

import java.util.List;

/**
 * What a writer changed, published inside its transaction with
 * {@link health.consent.service.db.Transactions#publish}. Writers know nothing of who listens.
 */
public sealed interface DomainEvent permits ConsentChanged, ConsentsChanged, CatalogueChanged, AccessRecorded {

    /** What observers of the commit receive of it ({@link Committed}): the event itself, or each of a group's. */
    default List<DomainEvent> parts() {
        return List.of(this);
    }
}
