package health.consent.service.feed;

import health.consent.service.db.BackgroundPass;
import health.consent.service.db.BackgroundWork;
import health.consent.service.db.DatabaseUnavailableException;
import health.consent.service.db.NotificationListener;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On PostgreSQL, wakes this instance's feed as soon as another instance commits a change: it
 * listens on the feed's channel. A notification carries no data and is only a signal; when one is
 * lost (a broken connection, a restart), the feed's tick catches the change within 100 ms anyway.
 */
@Singleton
@Requires(property = "datasources.default.url", pattern = "jdbc:postgresql:.*")
public class FeedWakeUp implements BackgroundWork {

    private static final Logger LOG = LoggerFactory.getLogger(FeedWakeUp.class);
    private static final int WAIT_MILLIS = 500;

    private final ChangeFeed feed;
    private final NotificationListener listener;
    private final BackgroundPass pass;

    public FeedWakeUp(ChangeFeed feed, @Value("${datasources.default.url}") String url,
                      @Value("${datasources.default.username:}") String user,
                      @Value("${datasources.default.password:}") String password) {
        this.feed = feed;
        this.listener = new NotificationListener(url, user, password, ChangeFeedRepository.CHANNEL);
        // Each run waits up to half a second for notifications, so the pass never sleeps between them.
        this.pass = new BackgroundPass("consent-feed-wake-up", Duration.ofMillis(1), Duration.ZERO, this::listen, LOG);
    }

    @Override
    public BackgroundPass backgroundPass() {
        return pass;
    }

    private void listen() {
        try {
            if (listener.await(WAIT_MILLIS)) {
                feed.wake();
            }
        } catch (DatabaseUnavailableException e) {
            try {
                // The database is away: try again in a second, not at every millisecond.
                Thread.sleep(1_000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    /** Its pass is stopped by then ({@link health.consent.service.db.BackgroundPasses}), before any bean is destroyed. */
    @PreDestroy
    void close() {
        listener.close();
    }
}
