package health.consent.service.db;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.List;

/** The one lifecycle of every background pass: started once the server is up, stopped when it goes down. */
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

    @PreDestroy
    void stop() throws InterruptedException {
        for (BackgroundWork w : works) {
            w.backgroundPass().stop();
        }
    }
}
