package db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The index of an application's decisions by purpose and state now goes on to the patient and the
 * notice version: a cohort is decided by reading the grants of a range of patient ids in one index
 * scan (index-only on PostgreSQL), not by looking up each patient. The old index was its prefix, so
 * every query it served this one serves. On PostgreSQL the patient id is ordered bytewise
 * ({@code COLLATE "C"}): the service computes the range's ends in Java, whose order is the bytes'
 * for the ASCII of patient ids, whatever the database's own collation; H2 already compares that way.
 */
public class V13__Cohort_index extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        boolean postgres = context.getConnection().getMetaData().getDatabaseProductName().contains("PostgreSQL");
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("DROP INDEX consent_by_application");
            s.execute("CREATE INDEX consent_by_application ON consent (application_id, purpose, state, patient_id"
                    + (postgres ? " COLLATE \"C\"" : "") + ", notice_version)");
        }
    }
}
