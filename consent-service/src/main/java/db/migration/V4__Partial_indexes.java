package db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * PostgreSQL only: the indexes that find rows not yet numbered (change feed) or not yet in the
 * audit log keep only those rows, so numbering a row no longer adds it to them; ingestion and
 * consent changes each save an index insertion per row. H2 has no partial index: there the
 * indexes of V2 and V3 stay as they are. (A Java migration, because Flyway alone cannot pick SQL
 * by database.)
 */
public class V4__Partial_indexes extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        if (!context.getConnection().getMetaData().getDatabaseProductName().contains("PostgreSQL")) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("DROP INDEX consent_change_unsequenced");
            s.execute("CREATE INDEX consent_change_unsequenced ON consent_change (id) WHERE seq IS NULL");
            s.execute("DROP INDEX consent_event_unlogged");
            s.execute("CREATE INDEX consent_event_unlogged ON consent_event (seq) WHERE leaf_index IS NULL");
            s.execute("DROP INDEX access_record_unlogged");
            s.execute("CREATE INDEX access_record_unlogged ON access_record (received_at, application_id, id) "
                    + "WHERE leaf_index IS NULL");
        }
    }
}
