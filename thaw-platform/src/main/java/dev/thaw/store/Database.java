package dev.thaw.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Where the metadata lives: an SQLite file (the embedded default) or a PostgreSQL database shared by instances. */
public sealed interface Database {

    Dialect dialect();

    /** The JDBC URL, without credentials. */
    String jdbcUrl();

    /** How it is named in logs and errors: never with a password. */
    String display();

    static Database sqlite(Path file) {
        return new Sqlite(file);
    }

    /**
     * Parses {@code postgresql://user[:password]@host[:port]/database}; {@code postgres://} is accepted too.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Database parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--database is not a URL: " + e.getMessage(), e);
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("--database must look like postgresql://user@host:port/database, not "
                    + url);
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (uri.getHost() == null || path.isEmpty() || uri.getRawUserInfo() == null) {
            throw new IllegalArgumentException("--database needs a user, a host and a database: "
                    + "postgresql://user@host:port/database");
        }
        String[] userInfo = uri.getRawUserInfo().split(":", 2);
        String user = URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8);
        String password = userInfo.length > 1 ? URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8) : "";
        int port = uri.getPort() > 0 ? uri.getPort() : 5432;
        return new Postgres(uri.getHost(), port, path, user, password);
    }

    enum Dialect {
        SQLITE("sqlite"),
        POSTGRESQL("postgresql");

        private final String migrations;

        Dialect(String migrations) {
            this.migrations = migrations;
        }

        /** The classpath folder of this dialect's migrations. */
        String migrationLocation() {
            return "classpath:dev/thaw/store/migrations/" + migrations;
        }
    }

    record Sqlite(Path file) implements Database {
        @Override
        public Dialect dialect() {
            return Dialect.SQLITE;
        }

        /** WAL so a crash never leaves a torn write; foreign keys so deleting a function removes what it owns. */
        @Override
        public String jdbcUrl() {
            return "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL&foreign_keys=true";
        }

        @Override
        public String display() {
            return file.toString();
        }
    }

    record Postgres(String host, int port, String database, String user, String password) implements Database {
        @Override
        public Dialect dialect() {
            return Dialect.POSTGRESQL;
        }

        @Override
        public String jdbcUrl() {
            String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            return "jdbc:postgresql://" + h + ":" + port + "/" + database;
        }

        @Override
        public String display() {
            return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
        }

        @Override
        public String toString() {
            return display();
        }
    }
}
