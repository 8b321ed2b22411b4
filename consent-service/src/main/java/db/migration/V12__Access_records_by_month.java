package db.migration;

import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * PostgreSQL only: the access log becomes a table partitioned by month of {@code at}, so that a
 * month past its retention is erased by dropping its partition (one statement, no dead rows to
 * vacuum) and each month's indexes stay the size of a month. The existing rows are copied into one
 * partition per month they cover; a default partition takes a record of a month that has no
 * partition yet (the service creates them ahead: {@code AccessRecordRepository.createMonth}).
 *
 * <p>A partitioned table's primary key must contain the partition key: it becomes (application,
 * id, at). A record sent again is the same record at the same time and is still stored once; the
 * same id at another time from the same application is now a second record. H2 keeps its single
 * table, and the same retention by deletion.
 */
public class V12__Access_records_by_month extends BaseJavaMigration {

    private static final String[] INDEXES = {"access_record_by_patient", "access_record_unlogged",
        "access_record_by_application", "access_record_by_leaf"};

    @Override
    public void migrate(Context context) throws Exception {
        if (!context.getConnection().getMetaData().getDatabaseProductName().contains("PostgreSQL")) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("ALTER TABLE access_record RENAME TO access_record_v11");
            s.execute("ALTER INDEX access_record_pkey RENAME TO access_record_v11_pkey");
            for (String index : INDEXES) {
                s.execute("ALTER INDEX " + index + " RENAME TO " + index + "_v11");
            }
            s.execute("CREATE TABLE access_record (LIKE access_record_v11 INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
                    + "PARTITION BY RANGE (at)");
            s.execute("ALTER TABLE access_record ADD PRIMARY KEY (application_id, id, at)");
            s.execute("CREATE INDEX access_record_by_patient ON access_record (patient_id, at)");
            s.execute("CREATE INDEX access_record_unlogged ON access_record (received_at, application_id, id) "
                    + "WHERE leaf_index IS NULL");
            s.execute("CREATE INDEX access_record_by_application ON access_record (application_id, at)");
            s.execute("CREATE INDEX access_record_by_leaf ON access_record (leaf_index)");
            s.execute("CREATE TABLE access_record_default PARTITION OF access_record DEFAULT");

            LocalDate first = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
            try (ResultSet rs = s.executeQuery("SELECT MIN(at) FROM access_record_v11")) {
                if (rs.next() && rs.getObject(1) != null) {
                    LocalDate oldest = rs.getObject(1, java.time.OffsetDateTime.class)
                            .withOffsetSameInstant(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
                    first = oldest.isBefore(first) ? oldest : first;
                }
            }
            LocalDate last = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).plusMonths(2);
            for (LocalDate month = first; !month.isAfter(last); month = month.plusMonths(1)) {
                s.execute(createMonth(month));
            }
            s.execute("INSERT INTO access_record SELECT * FROM access_record_v11");
            s.execute("DROP TABLE access_record_v11");
        }
    }

    /** The statement that creates the partition of a month (its first day, in UTC). */
    private static String createMonth(LocalDate month) {
        return "CREATE TABLE IF NOT EXISTS " + monthTable(month) + " PARTITION OF access_record FOR VALUES FROM ('"
                + month + " 00:00:00+00') TO ('" + month.plusMonths(1) + " 00:00:00+00')";
    }

    /** The partition of a month: {@code access_record_y2026m12}, as the service names those it creates. */
    private static String monthTable(LocalDate month) {
        return String.format("access_record_y%04dm%02d", month.getYear(), month.getMonthValue());
    }
}
