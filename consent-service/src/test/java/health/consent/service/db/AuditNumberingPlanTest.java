package health.consent.service.db;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import health.consent.service.consent.ConsentRepository;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL: the audit log's numbering of consent events finds them by their key however small
 * the events' table was when the connection first numbered events. A plan the server keeps for a
 * statement is made once, with the table's size at that moment; on a new database, before any
 * statistics, a plan kept from the first seconds read the whole events' table at every pass once
 * it had grown (found in the full benchmark run of 2026-12-04: 19 ms a pass instead of 0.6).
 */
class AuditNumberingPlanTest extends OnBothDatabases {

    @Test
    void numbering_events_reads_them_by_key_once_their_table_has_grown_from_nearly_empty() {
        assumeTrue("PostgreSQL".equals(database), "H2 keeps no plans");
        decide(api, Tokens.patient(newPatient()), registerApplication(api), "CARE", "GRANTED");
        Transactions transactions = service.context().getBean(Transactions.class);
        ConsentRepository events = service.context().getBean(ConsentRepository.class);
        Db db = service.context().getBean(Db.class);
        String columns = String.join(", ", db.list("SELECT column_name FROM information_schema.columns "
                + "WHERE table_schema = 'public' AND table_name = 'consent_event' AND column_name <> 'seq' "
                + "ORDER BY ordinal_position", rs -> rs.getString(1)));
        long read = transactions.write(() -> {
            // The events' table of a new database, for this transaction's connection alone: one event, no statistics.
            db.update("CREATE TEMP TABLE consent_event (LIKE public.consent_event INCLUDING ALL) ON COMMIT DROP");
            db.update("INSERT INTO consent_event (" + columns + ") SELECT " + columns
                    + " FROM public.consent_event LIMIT 1");
            // The server keeps a plan for a prepared statement after five runs when it costs no more than planning each;
            // here it keeps one from the first (the driver prepares the statement on the server from its fifth run).
            db.update("SET LOCAL plan_cache_mode = force_generic_plan");
            for (long leaf = 0; leaf < 8; leaf++) {
                events.logged(List.<Object[]>of(new Object[] {leaf, 1L}));
            }
            db.update("INSERT INTO consent_event (" + columns + ") SELECT " + columns
                    + " FROM consent_event, generate_series(1, 20000)");
            long before = scanned(db);
            assertThat(before).as("the copy above read the table by scanning it, and was counted").isPositive();
            events.logged(List.<Object[]>of(new Object[] {100L, 2L}, new Object[] {101L, 3L}));
            return scanned(db) - before;
        });
        assertThat(read).as("events read by scanning their table to number two").isZero();
    }

    /** Rows this transaction has read by scanning the connection's own events' table so far. */
    private static long scanned(Db db) {
        return db.count("SELECT COALESCE(seq_tup_read, 0) FROM pg_stat_xact_all_tables "
                + "WHERE relid = 'pg_temp.consent_event'::regclass");
    }
}
