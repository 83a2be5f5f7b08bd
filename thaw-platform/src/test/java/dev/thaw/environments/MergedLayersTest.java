package dev.thaw.environments;

import dev.thaw.functions.FunctionLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergedLayersTest {
    @TempDir
    Path home;

    private Path layer(String sha, String... pathsAndContents) throws IOException {
        Path root = home.resolve("layers").resolve(sha);
        Files.createDirectories(root);
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            Path file = root.resolve(pathsAndContents[i]);
            Files.createDirectories(file.getParent());
            Files.writeString(file, pathsAndContents[i + 1]);
        }
        return root;
    }

    private static FunctionLayer ref(String sha) {
        return new FunctionLayer("arn:aws:lambda:us-east-1:000000000000:layer:" + sha + ":1", 1, sha);
    }

    @Test
    void layersMergeInOrderAndALaterLayersFileWins() throws IOException {
        layer("aaaa", "java/lib/greeting.jar", "library", "greeting.txt", "Hello", "conf/a", "first");
        layer("bbbb", "greeting.txt", "Howdy", "conf/b", "second");
        MergedLayers merged = new MergedLayers(home.resolve("layers"), home.resolve("layers-merged"));

        Path opt = merged.directoryFor(List.of(ref("aaaa"), ref("bbbb")));
        assertEquals("Howdy", Files.readString(opt.resolve("greeting.txt")));
        assertEquals("library", Files.readString(opt.resolve("java/lib/greeting.jar")));
        assertEquals("first", Files.readString(opt.resolve("conf/a")), "directories are merged, not replaced");
        assertEquals("second", Files.readString(opt.resolve("conf/b")));
        assertEquals("r-xr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(opt.resolve("conf"))), "the merged tree's directories are read-only");

        Path reversed = merged.directoryFor(List.of(ref("bbbb"), ref("aaaa")));
        assertNotEquals(opt, reversed, "another order is another merge");
        assertEquals("Hello", Files.readString(reversed.resolve("greeting.txt")));
        assertEquals(opt, merged.directoryFor(List.of(ref("aaaa"), ref("bbbb"))), "made once, then reused");
    }

    @Test
    void aLaterLayersFileReplacesAnEarlierLayersDirectoryOfTheSameName() throws IOException {
        layer("cccc", "tool/inner.txt", "a directory");
        layer("dddd", "tool", "a file");
        Path opt = new MergedLayers(home.resolve("layers"), home.resolve("layers-merged"))
                .directoryFor(List.of(ref("cccc"), ref("dddd")));
        assertTrue(Files.isRegularFile(opt.resolve("tool")));
        assertEquals("a file", Files.readString(opt.resolve("tool")));
    }

    @Test
    void mergingLinksTheLayersFilesRatherThanCopyingThem() throws IOException {
        Path source = layer("eeee", "big.bin", "bytes");
        Path opt = new MergedLayers(home.resolve("layers"), home.resolve("layers-merged"))
                .directoryFor(List.of(ref("eeee")));
        assertEquals(Files.getAttribute(source.resolve("big.bin"), "unix:ino"),
                Files.getAttribute(opt.resolve("big.bin"), "unix:ino"));
        try (var left = Files.list(home.resolve("layers-merged"))) {
            assertEquals(List.of(opt), left.toList(), "no staging directory is left behind");
        }
    }

    @Test
    void directoriesNoLayerListUsesAreRemovedAndThoseInUseStay() throws IOException {
        layer("aaaa", "greeting.txt", "Hello");
        layer("bbbb", "greeting.txt", "Howdy");
        MergedLayers merged = new MergedLayers(home.resolve("layers"), home.resolve("layers-merged"));
        Path kept = merged.directoryFor(List.of(ref("aaaa")));
        Path unused = merged.directoryFor(List.of(ref("aaaa"), ref("bbbb")));
        Path leftover = Files.createDirectories(home.resolve("layers-merged/.staging-crashed"));

        assertEquals(2, merged.removeUnused(List.of(List.of(ref("aaaa")), List.of())));
        assertTrue(Files.isDirectory(kept));
        assertEquals("Hello", Files.readString(kept.resolve("greeting.txt")));
        assertTrue(Files.notExists(unused));
        assertTrue(Files.notExists(leftover));
        assertEquals("Howdy", Files.readString(home.resolve("layers/bbbb/greeting.txt")),
                "the layer's own files are untouched (the merged tree held hard links)");
        assertEquals(0, merged.removeUnused(List.of(List.of(ref("aaaa")))));
    }
}
