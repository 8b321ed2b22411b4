package health.consent.service.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Which database failures become a 503 that invites the same request again, and which stay errors. */
class DbFailuresTest {

    private static RuntimeException failed(String sqlState) {
        return new Db.DataAccessException("UPDATE access_record SET at = ?", new SQLException("failed", sqlState));
    }

    @Test
    void a_transaction_given_up_for_a_deadlock_or_a_serialisation_conflict_is_a_503_not_a_500() {
        for (String state : new String[] {"40P01", "40001"}) {
            assertThatThrownBy(() -> Db.reachable(() -> {
                throw failed(state);
            })).as(state).isInstanceOf(DatabaseUnavailableException.class);
        }
        assertThat(Db.isTransientConflict(failed("40P01"))).isTrue();
        // Its problem says what happened: a conflict, not an unreachable database.
        DatabaseUnavailableException conflict = new DatabaseUnavailableException(failed("40P01"));
        String detail = new health.consent.service.web.UnavailableHandler().handle(null, conflict).body().detail();
        assertThat(detail).contains("conflict").doesNotContain("cannot reach");
        // And so does the message the background passes log when they retry.
        assertThat(conflict.getMessage()).contains("conflict").doesNotContain("cannot be reached");
        assertThat(new DatabaseUnavailableException(failed("08006")).getMessage()).contains("cannot be reached");
        assertThat(new health.consent.service.web.UnavailableHandler()
                .handle(null, new DatabaseUnavailableException(new java.net.ConnectException("refused"))).body().detail())
                .contains("cannot reach");
    }

    @Test
    void a_statement_the_database_refuses_stays_an_error_of_the_statement() {
        // A unique violation is about the request, not a conflict to wait out.
        assertThatThrownBy(() -> Db.reachable(() -> {
            throw failed("23505");
        })).isInstanceOf(Db.DataAccessException.class);
        assertThat(Db.isTransientConflict(failed("23505"))).isFalse();
    }
}
