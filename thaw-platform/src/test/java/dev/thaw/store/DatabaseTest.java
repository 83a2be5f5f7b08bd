package dev.thaw.store;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseTest {
    @Test
    void aPostgresUrlGivesTheJdbcUrlAndCredentialsAndNeverShowsThePassword() {
        Database.Postgres db = (Database.Postgres) Database.parse("postgresql://thaw:s%40cret@db.example:6543/meta");
        assertEquals("jdbc:postgresql://db.example:6543/meta", db.jdbcUrl());
        assertEquals("thaw", db.user());
        assertEquals("s@cret", db.password());
        assertEquals(Database.Dialect.POSTGRESQL, db.dialect());
        assertFalse(db.display().contains("cret") || db.toString().contains("cret"), db.display());
    }

    @Test
    void theDefaultPortIs5432AndAnEmptyPasswordIsAllowed() {
        Database.Postgres db = (Database.Postgres) Database.parse("postgres://thaw@127.0.0.1/thaw");
        assertEquals("jdbc:postgresql://127.0.0.1:5432/thaw", db.jdbcUrl());
        assertEquals("", db.password());
    }

    @Test
    void otherSchemesAndIncompleteUrlsAreRefusedWithTheExpectedShape() {
        for (String bad : new String[] {"mysql://u@h/db", "postgresql://h:5432/db", "postgresql://u@h:5432/",
                "not a url"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Database.parse(bad));
            assertTrue(e.getMessage().contains("--database"), e.getMessage());
        }
    }

    @Test
    void sqliteRunsInWalModeWithForeignKeys() {
        Database db = Database.sqlite(Path.of("/var/lib/thaw/metadata.db"));
        assertEquals(Database.Dialect.SQLITE, db.dialect());
        assertTrue(db.jdbcUrl().startsWith("jdbc:sqlite:/var/lib/thaw/metadata.db?"), db.jdbcUrl());
        assertTrue(db.jdbcUrl().contains("journal_mode=WAL") && db.jdbcUrl().contains("foreign_keys=true"));
    }
}
