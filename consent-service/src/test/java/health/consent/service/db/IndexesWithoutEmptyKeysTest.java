package health.consent.service.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import health.consent.service.consent.ConsentRepository;
import health.consent.service.support.OnBothDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL (V19): the indexes of time-boxed grants' ends and of events by leaf keep no row whose
 * key is empty, and still serve the reads that use them. H2 has no partial index.
 */
class IndexesWithoutEmptyKeysTest extends OnBothDatabases {

    private static String plan(String query, Object param) throws SQLException {
        List<String> plan = new ArrayList<>();
        try (Connection c = service.connection(); Statement s = c.createStatement()) {
            // A test's tables are small enough to be read whole; the question is which index the read can use.
            s.execute("SET enable_seqscan = off");
            try (PreparedStatement explain = c.prepareStatement("EXPLAIN " + query)) {
                explain.setObject(1, param);
                try (ResultSet rs = explain.executeQuery()) {
                    while (rs.next()) {
                        plan.add(rs.getString(1));
                    }
                }
            }
        }
        return String.join("\n", plan);
    }

    @Test
    void the_grants_that_end_and_the_events_at_a_leaf_are_read_from_indexes_that_keep_nothing_else()
            throws SQLException {
        assumeTrue("PostgreSQL".equals(database), "H2 has no partial index");
        assertThat(service.strings("SELECT indexdef FROM pg_indexes WHERE indexname IN "
                + "('consent_expiring', 'consent_event_by_leaf') ORDER BY indexname"))
                .satisfiesExactly(
                        leaf -> assertThat(leaf).contains("WHERE (leaf_index IS NOT NULL)"),
                        ends -> assertThat(ends).contains("WHERE ((expires_at IS NOT NULL)")
                                .contains("'GRANTED'"));
        String due = plan(ConsentRepository.dueToExpireQuery(100), OffsetDateTime.now());
        assertThat(due).as(due).contains("consent_expiring").doesNotContain("Sort");
        String atLeaf = plan(ConsentRepository.AT_LEAF, 7L);
        assertThat(atLeaf).as(atLeaf).contains("consent_event_by_leaf");
    }
}
