package dev.thaw.snapshots;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A snapshot's integrity checks, against image files in a temporary directory. */
class SnapshotStoreTest {
    private static final String FUNCTION = "fn";
    private static final String VERSION = "1";

    @TempDir
    Path dir;

    private Path root() {
        return dir.resolve("snapshots");
    }

    /** Writes two image files and seals them, as a dump does. */
    private Manifest sealedSnapshot(SnapshotStore store) throws IOException {
        Path images = store.prepare(FUNCTION, VERSION);
        Files.write(images.resolve("core-1.img"), "core image".getBytes());
        Files.write(images.resolve("pages-1.img"), new byte[64 * 1024]);
        return store.seal(new Manifest(Manifest.FORMAT_VERSION, FUNCTION, VERSION, "fn:1:rev", "2026-12-06T00:00:00Z",
                new HostFingerprint("jdk", "criu", "kernel", "cpu"), new Manifest.StdioInodes(1, 2, 3), List.of(), 0,
                0, 1.0, 2.0, List.of()));
    }

    private Path image(SnapshotStore store, String name) {
        return store.images(FUNCTION, VERSION).resolve(name);
    }

    /** Overwrites one byte in place, keeping the file's size, inode and modification time. */
    private static void flipByteUnnoticed(Path file) throws IOException {
        FileTime mtime = Files.getLastModifiedTime(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(100);
            raf.write(7);
        }
        Files.setLastModifiedTime(file, mtime);
    }

    @Test
    void aSealedSnapshotHasAManifestListingEveryImageWithItsHash() throws IOException {
        SnapshotStore store = new SnapshotStore(root());
        Manifest sealed = sealedSnapshot(store);
        assertEquals(List.of("core-1.img", "pages-1.img"), sealed.files().stream().map(Manifest.ImageFile::name)
                .toList());
        assertEquals(10 + 64 * 1024, sealed.imageBytes());
        assertEquals(SnapshotStore.sha256(image(store, "core-1.img")), sealed.files().get(0).sha256());
        assertEquals(Optional.of(sealed), store.manifest(FUNCTION, VERSION));
        assertEquals(Optional.empty(), store.verify(sealed));
    }

    @Test
    void imagesWithoutAManifestAreNoSnapshot() throws IOException {
        SnapshotStore store = new SnapshotStore(root());
        Files.write(store.prepare(FUNCTION, VERSION).resolve("core-1.img"), new byte[] {1});
        assertEquals(Optional.empty(), store.manifest(FUNCTION, VERSION));
    }

    @Test
    void aManifestOfAnotherFormatIsNoSnapshot() throws IOException {
        SnapshotStore store = new SnapshotStore(root());
        sealedSnapshot(store);
        Path manifest = store.directory(FUNCTION, VERSION).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"formatVersion\" : \\d+",
                "\"formatVersion\" : 1"));
        assertEquals(Optional.empty(), new SnapshotStore(root()).manifest(FUNCTION, VERSION));
    }

    @Test
    void anImageThatGrewIsRefused() throws IOException {
        SnapshotStore store = new SnapshotStore(root());
        Manifest m = sealedSnapshot(store);
        Files.write(image(store, "pages-1.img"), new byte[] {1}, StandardOpenOption.APPEND);
        assertEquals(Optional.of("image file pages-1.img changed since the snapshot was taken"), store.verify(m));
    }

    @Test
    void anImageReplacedByAFileOfTheSameSizeIsRefused() throws IOException {
        SnapshotStore store = new SnapshotStore(root());
        Manifest m = sealedSnapshot(store);
        Path image = image(store, "core-1.img");
        Path copy = dir.resolve("copy");
        Files.copy(image, copy, StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(copy, image, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Optional.of("image file core-1.img changed since the snapshot was taken"), store.verify(m));
    }

    @Test
    void aMissingOrAddedImageIsRefused() throws IOException {
        SnapshotStore store = new SnapshotStore(root());
        Manifest m = sealedSnapshot(store);
        Files.move(image(store, "core-1.img"), image(store, "core-2.img"));
        assertEquals(Optional.of("image file core-1.img is missing"), store.verify(m));
        Files.delete(image(store, "core-2.img"));
        assertEquals(Optional.of("the number of image files changed"), store.verify(m));
        Files.write(image(store, "core-1.img"), new byte[] {1});
        Files.write(image(store, "extra.img"), new byte[] {1});
        assertEquals(Optional.of("the number of image files changed"), store.verify(m));
    }

    @Test
    void corruptionThatKeepsSizeInodeAndMtimeFailsTheFullCheckOfTheNextPlatformRun() throws IOException {
        Manifest m = sealedSnapshot(new SnapshotStore(root()));
        SnapshotStore nextRun = new SnapshotStore(root());
        flipByteUnnoticed(image(nextRun, "pages-1.img"));
        assertEquals(Optional.of("image file pages-1.img fails its SHA-256 check"), nextRun.verify(m));
        assertEquals(Optional.of("image file pages-1.img fails its SHA-256 check"), nextRun.verify(m),
                "a snapshot that failed its full check is checked in full again");
    }

    @Test
    void theFullCheckRunsOncePerPlatformRunAndTheCheapCheckEveryTime() throws IOException {
        Manifest m = sealedSnapshot(new SnapshotStore(root()));
        SnapshotStore nextRun = new SnapshotStore(root());
        assertEquals(Optional.empty(), nextRun.verify(m));
        flipByteUnnoticed(image(nextRun, "pages-1.img"));
        assertEquals(Optional.empty(), nextRun.verify(m), "hashed already in this run");
        Files.write(image(nextRun, "pages-1.img"), new byte[] {1}, StandardOpenOption.APPEND);
        assertTrue(nextRun.verify(m).isPresent(), "the cheap check still runs");
    }

    @Test
    void aDeletedSnapshotIsGoneAndCanBeTakenAgain() throws IOException {
        SnapshotStore store = new SnapshotStore(root());
        Manifest m = sealedSnapshot(store);
        store.delete(FUNCTION, VERSION);
        assertEquals(Optional.empty(), store.manifest(FUNCTION, VERSION));
        assertTrue(Files.notExists(store.directory(FUNCTION, VERSION)));
        Manifest again = sealedSnapshot(store);
        assertEquals(Optional.empty(), store.verify(again));
    }
}
