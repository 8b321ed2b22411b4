package health.consent.service.web;

import health.consent.model.wire.DecisionAnswer;
import health.consent.model.wire.FeedChange;
import health.consent.model.wire.FeedPage;
import io.micronaut.serde.annotation.SerdeImport;

/**
 * The model's wire records, which the SDK reads with the same types: written as JSON here with
 * their record components as field names, so that both sides agree by construction.
 */
@SerdeImport(DecisionAnswer.class)
@SerdeImport(FeedChange.class)
@SerdeImport(FeedPage.class)
final class WireFormats {

    private WireFormats() {
    }
}
