package db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * PostgreSQL only: two indexes no longer keep the rows whose key is empty, which none of their
 * reads looks for. The end of a time-boxed grant ({@code consent_expiring}, read by the expiry
 * pass for grants whose end has come) is empty for almost every decision; an event's leaf in the
 * audit log ({@code consent_event_by_leaf}, read to find the event at a leaf) is empty until the
 * log's appender numbers it. Each decision a consent change writes and each event it inserts then
 * saves an index insertion, on the path that writes a group of changes while the others wait
 * (BENCHMARKS.md, "Cores left idle by the consent changes"). H2 has no partial index: there the
 * indexes of V10 and V6 stay.
 *
 * <p>Each index is dropped, then built again, in the migration's one transaction: reads and writes
 * of decisions and events wait until it commits, as for V16 (instances of the earlier version
 * stopped first, README, "Upgrading to indexes without empty keys").
 */
public class V19__Indexes_without_empty_keys extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        if (!Dialect.postgres(context.getConnection())) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("DROP INDEX consent_expiring");
            s.execute("CREATE INDEX consent_expiring ON consent (expires_at) "
                    + "WHERE expires_at IS NOT NULL AND state = 'GRANTED'");
            s.execute("DROP INDEX consent_event_by_leaf");
            s.execute("CREATE INDEX consent_event_by_leaf ON consent_event (leaf_index) WHERE leaf_index IS NOT NULL");
        }
    }
}
