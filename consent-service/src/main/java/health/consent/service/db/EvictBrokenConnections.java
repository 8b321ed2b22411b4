package health.consent.service.db;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Tells the connection pool to drop a connection whose database is gone, including H2's "database
 * closed" (which the pool does not know as such): kept, such connections would fail every request
 * that draws them until they expire, long after the database is back.
 */
public class EvictBrokenConnections implements SQLExceptionOverride {

    @java.lang.Override
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        return Db.isBrokenConnection(e.getSQLState())
                ? SQLExceptionOverride.Override.MUST_EVICT : SQLExceptionOverride.Override.CONTINUE_EVICT;
    }
}
