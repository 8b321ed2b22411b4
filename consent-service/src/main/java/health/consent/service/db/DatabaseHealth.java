package health.consent.service.db;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.jdbc.DataSourceResolver;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import javax.sql.DataSource;
import org.reactivestreams.Publisher;

/**
 * The database in the health endpoint, in place of the framework's indicator (which would report
 * the whole service DOWN when a read replica is lost): DOWN when the primary cannot be reached,
 * since nothing can be decided or written then; the replica's state in the details only, since
 * its reads go to the primary meanwhile ({@link Transactions#lagging}).
 */
@Singleton
public class DatabaseHealth implements HealthIndicator {

    private static final int TIMEOUT_SECONDS = 2;

    private final DataSource primary;
    private final DataSource replica;
    private final ExecutorService io;

    public DatabaseHealth(DataSource primary, @Named(Db.REPLICA) @Nullable DataSource replica,
                          DataSourceResolver resolver, @Named(TaskExecutors.BLOCKING) ExecutorService io) {
        // The pools themselves, not the framework's proxies that only work inside a transaction.
        this.primary = resolver.resolve(primary);
        this.replica = replica == null ? null : resolver.resolve(replica);
        this.io = io;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        return Publishers.fromCompletableFuture(() -> CompletableFuture.supplyAsync(this::check, io));
    }

    private HealthResult check() {
        Map<String, Object> details = new LinkedHashMap<>();
        String primaryState = state(primary);
        details.put("primary", primaryState);
        if (replica != null) {
            String replicaState = state(replica);
            details.put("replica", "UP".equals(replicaState) ? replicaState
                    : replicaState + " (its reads are served by the primary meanwhile)");
        }
        return HealthResult.builder("database", "UP".equals(primaryState) ? HealthStatus.UP : HealthStatus.DOWN)
                .details(details).build();
    }

    private static String state(DataSource source) {
        try (Connection c = source.getConnection()) {
            return c.isValid(TIMEOUT_SECONDS) ? "UP" : "DOWN: the connection did not answer";
        } catch (SQLException e) {
            return "DOWN: " + e.getMessage();
        }
    }
}
