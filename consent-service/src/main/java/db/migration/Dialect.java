package db.migration;

import java.sql.Connection;
import java.sql.SQLException;

/** What differs between H2 and PostgreSQL in the migrations written in Java. */
final class Dialect {

    private Dialect() {
    }

    static boolean postgres(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseProductName().contains("PostgreSQL");
    }

    /** The type of a column of bytes. */
    static String bytes(Connection c) throws SQLException {
        return postgres(c) ? "BYTEA" : "VARBINARY";
    }
}
