package dev.thaw.store;

import java.time.Duration;
import java.util.Map;

/** Bounds on every wait for PostgreSQL, so that a database that is down fails requests instead of hanging them. */
final class PostgresTimeouts {
    /** How long a request waits for a pooled connection before it fails. */
    static final Duration CONNECTION_WAIT = Duration.ofSeconds(2);

    /** Seconds to open a TCP connection, to log in, and to wait for any answer on an open one. */
    private static final Map<String, String> PROPERTIES = Map.of(
            "connectTimeout", "2",
            "loginTimeout", "3",
            "socketTimeout", "30",
            "tcpKeepAlive", "true",
            "ApplicationName", "thaw");

    static final String URL_PARAMETERS = String.join("&", PROPERTIES.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue()).sorted().toList());

    private PostgresTimeouts() {
    }

    static Map<String, String> properties() {
        return PROPERTIES;
    }
}
