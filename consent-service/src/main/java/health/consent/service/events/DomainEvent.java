package health.consent.service.events;

/**
 * What a writer changed, published inside its transaction with
 * {@link health.consent.service.db.Transactions#publish}. Writers know nothing of who listens.
 */
public sealed interface DomainEvent permits ConsentChanged, CatalogueChanged, AccessRecorded {
}
