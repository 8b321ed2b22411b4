package health.consent.service.support;

import health.consent.service.events.Committed;
import io.micronaut.context.annotation.Requires;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An observer of commits that fails every time, in services started with
 * {@code test.observers.fail=true}: for tests of what a failure after the commit must not undo.
 */
@Singleton
@Requires(property = "test.observers.fail", value = "true")
public class FailingObserver {

    private final AtomicInteger failures = new AtomicInteger();

    @EventListener
    void committed(Committed committed) {
        failures.incrementAndGet();
        throw new IllegalStateException("an observer of the commit failed");
    }

    public int failures() {
        return failures.get();
    }
}
