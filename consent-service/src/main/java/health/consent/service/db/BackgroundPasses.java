package health.consent.service.db;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The one lifecycle of every background pass: started once the server is up, stopped as the
 * application begins to stop, before any bean is destroyed, so that no pass finds what it uses (the
 * pool, a connection of its own, a queue) closed under it and reports an orderly stop as a failure.
 */
@Singleton
public class BackgroundPasses implements ApplicationEventListener<ServerStartupEvent> {

    private final List<BackgroundWork> works;

    public BackgroundPasses(List<BackgroundWork> works) {
        this.works = works;
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        works.forEach(w -> w.backgroundPass().start());
    }

    /** Published when the context starts to stop, before it destroys any bean. */
    @EventListener
    void stopping(ShutdownEvent event) throws InterruptedException {
        stop();
    }

    /** Stopping a pass again is harmless: this is for a context destroyed without its event. */
    @PreDestroy
    void stop() throws InterruptedException {
        for (BackgroundWork w : works) {
            w.backgroundPass().stop();
        }
    }
}
