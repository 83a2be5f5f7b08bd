package dev.thaw.store;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the store when its cache may be stale. Alone on SQLite, the store sees every write itself. On PostgreSQL a
 * trigger notifies {@code thaw_metadata} on every commit that changes functions, versions or aliases, and this
 * listens on a connection of its own; while it is not listening (the database restarted), nothing is cached.
 */
sealed interface ChangeFeed extends AutoCloseable {
    String CHANNEL = "thaw_metadata";

    /** Whether what is read now may be cached: every later change will be heard of. */
    boolean trusted();

    @Override
    void close();

    static ChangeFeed local() {
        return new Local();
    }

    static ChangeFeed start(Database.Postgres database, Runnable forget) {
        Listener listener = new Listener(database, forget);
        listener.thread = Thread.ofPlatform().daemon().name("metadata-changes").start(listener::run);
        return listener;
    }

    final class Local implements ChangeFeed {
        @Override
        public boolean trusted() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    final class Listener implements ChangeFeed {
        private static final Logger LOG = Logger.getLogger(ChangeFeed.class.getName());
        private static final int POLL_MILLIS = 500;
        private static final long RECONNECT_MILLIS = 1000;

        private final Database.Postgres database;
        private final Runnable forget;
        private volatile boolean trusted;
        private volatile boolean closed;
        private Thread thread;

        private Listener(Database.Postgres database, Runnable forget) {
            this.database = database;
            this.forget = forget;
        }

        @Override
        public boolean trusted() {
            return trusted;
        }

        private void run() {
            boolean lost = false;
            while (!closed) {
                try (Connection c = DriverManager.getConnection(database.jdbcUrl(), properties())) {
                    try (Statement s = c.createStatement()) {
                        s.execute("LISTEN " + CHANNEL);
                    }
                    // Whatever changed while nobody listened is unknown: start from nothing.
                    forget.run();
                    trusted = true;
                    if (lost) {
                        LOG.info("listening for metadata changes again on " + database.display());
                        lost = false;
                    }
                    PGConnection pg = c.unwrap(PGConnection.class);
                    while (!closed) {
                        PGNotification[] heard = pg.getNotifications(POLL_MILLIS);
                        if (heard != null && heard.length > 0) {
                            forget.run();
                        }
                    }
                } catch (SQLException e) {
                    trusted = false;
                    forget.run();
                    if (!closed && !lost) {
                        LOG.log(Level.WARNING, "lost the metadata change feed of " + database.display()
                                + "; reading without a cache until it is back: " + e.getMessage());
                        lost = true;
                    }
                    pause();
                }
            }
        }

        private Properties properties() {
            Properties p = new Properties();
            p.putAll(PostgresTimeouts.properties());
            p.setProperty("user", database.user());
            p.setProperty("password", database.password());
            return p;
        }

        private void pause() {
            try {
                Thread.sleep(RECONNECT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }

        @Override
        public void close() {
            closed = true;
            trusted = false;
            if (thread != null) {
                try {
                    thread.join(2 * POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
