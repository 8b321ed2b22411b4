package health.consent.service.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Listens on a PostgreSQL notification channel over a connection of its own (a pooled one would
 * lose its LISTEN when returned). Not thread-safe: one thread uses it.
 */
public final class NotificationListener implements AutoCloseable {

    private final String url;
    private final String user;
    private final String password;
    private final String channel;
    private Connection connection;

    public NotificationListener(String url, String user, String password, String channel) {
        if (!channel.matches("[a-z_]+")) {
            throw new IllegalArgumentException("a channel name is lowercase letters and underscores");
        }
        this.url = url;
        this.user = user;
        this.password = password;
        this.channel = channel;
    }

    /**
     * Waits up to {@code millis} for notifications; true when one or more came. Connects (and
     * listens) first when needed: true then too, since notifications sent while nobody listened
     * are lost and the caller should look for itself.
     *
     * @throws DatabaseUnavailableException when the database cannot be reached; the next call connects again
     */
    public boolean await(int millis) {
        try {
            if (connection == null || connection.isClosed()) {
                connection = DriverManager.getConnection(url, user, password);
                try (Statement s = connection.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                return true;
            }
            PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(millis);
            return notifications != null && notifications.length > 0;
        } catch (SQLException e) {
            close();
            throw new DatabaseUnavailableException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            // Already broken: nothing more to do.
        }
        connection = null;
    }
}
