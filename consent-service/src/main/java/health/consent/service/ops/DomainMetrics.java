package health.consent.service.ops;

import health.consent.model.ConsentEvent;
import health.consent.model.Reason;
import health.consent.service.events.AccessRecorded;
import health.consent.service.events.Committed;
import health.consent.service.events.ConsentChanged;
import health.consent.service.events.DomainEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the service does, for operators' dashboards (on {@code /prometheus}): decisions answered by
 * reason, consent changes by state and channel, access records ingested and deduplicated. Counted
 * once committed. The feed's, the audit log's and the witnesses' meters are registered by them.
 */
@Singleton
public class DomainMetrics {

    private final MeterRegistry meters;
    private final Map<Reason, Counter> decisions = new EnumMap<>(Reason.class);
    private final Counter ingested;
    private final Counter deduplicated;

    public DomainMetrics(MeterRegistry meters) {
        this.meters = meters;
        for (Reason r : Reason.values()) {
            decisions.put(r, Counter.builder("consent.decisions").tag("reason", r.name())
                    .description("Decisions answered to applications, by reason").register(meters));
        }
        this.ingested = Counter.builder("consent.records.ingested")
                .description("Access records stored (regulators' recorded reads included)").register(meters);
        this.deduplicated = Counter.builder("consent.records.deduplicated")
                .description("Access records received again with an id already stored").register(meters);
    }

    /** A decision answered (from the cache or the database). */
    public void decided(Reason reason) {
        decisions.get(reason).increment();
    }

    @EventListener
    void committed(Committed committed) {
        for (DomainEvent event : committed.events()) {
            if (event instanceof ConsentChanged changed) {
                for (ConsentEvent e : changed.events()) {
                    Counter.builder("consent.changes").tag("state", e.state().name()).tag("channel", e.channel().name())
                            .description("Consent events recorded, by state and channel").register(meters).increment();
                }
            } else if (event instanceof AccessRecorded recorded) {
                ingested.increment(recorded.stored());
                deduplicated.increment(recorded.duplicates());
            }
        }
    }
}
