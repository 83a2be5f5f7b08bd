package dev.thaw.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The migration versions shipped for one dialect, read from the migrations folder, so tests need no list to edit. */
public final class ShippedMigrations {
    private ShippedMigrations() {
    }

    /** {@code dialect}: "sqlite" or "postgresql". The versions in order, as Flyway records them ("7"). */
    public static List<String> versions(String dialect) throws Exception {
        Path folder = Path.of(MetadataStore.class.getResource("migrations/" + dialect).toURI());
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .map(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .sorted()
                    .map(String::valueOf)
                    .toList();
        }
    }
}
