package health.consent.service.support;

import health.consent.service.events.Committed;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An observer of commits that fails every time, and is told first, in services started with
 * {@code test.observers.fail=true}: for tests of what a failure after the commit must not undo nor
 * keep from the other observers.
 */
@Singleton
@Requires(property = "test.observers.fail", value = "true")
public class FailingObserver implements ApplicationEventListener<Committed>, Ordered {

    private final AtomicInteger failures = new AtomicInteger();

    @Override
    public void onApplicationEvent(Committed committed) {
        failures.incrementAndGet();
        throw new IllegalStateException("an observer of the commit failed");
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    public int failures() {
        return failures.get();
    }
}
