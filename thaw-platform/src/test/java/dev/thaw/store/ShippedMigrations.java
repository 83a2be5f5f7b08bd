package dev.thaw.store;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The migration versions shipped for one dialect, read from the migrations folder, so tests need no list to edit. */
public final class ShippedMigrations {
    private ShippedMigrations() {
    }

    /** {@code dialect}: "sqlite" or "postgresql". The versions in order, as Flyway records them ("7"). */
    public static List<String> versions(String dialect) throws Exception {
        URI folder = MetadataStore.class.getResource("migrations/" + dialect).toURI();
        if (!folder.getScheme().equals("jar")) {
            return versionsIn(Path.of(folder));
        }
        // The integration tests see the platform's jar, not its classes directory.
        try (FileSystem jar = FileSystems.newFileSystem(folder, Map.of())) {
            return versionsIn(jar.provider().getPath(folder));
        }
    }

    private static List<String> versionsIn(Path folder) throws Exception {
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
