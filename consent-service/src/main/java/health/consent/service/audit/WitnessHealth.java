package health.consent.service.audit;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

/**
 * The witnesses in the health endpoint's details (shown to authenticated callers): each one's last
 * cosigned size and whether it is failing. A failing witness delays nothing, so the service stays UP.
 */
@Singleton
public class WitnessHealth implements HealthIndicator {

    private final Witnesses witnesses;

    public WitnessHealth(Witnesses witnesses) {
        this.witnesses = witnesses;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        return Publishers.just(HealthResult.builder("witnesses", HealthStatus.UP).details(witnesses.status()).build());
    }
}
