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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A snapshot's sealing and integrity checks, against image files in a temporary directory. */
class SnapshotStoreTest {
    private static final String FUNCTION = "fn";
    private static final String VERSION = "1";

    @TempDir
    Path dir;

    private Path root() {
        return dir.resolve("snapshots");
    }

    private MasterKey key() {
        return MasterKey.loadOrCreate(dir.resolve("snapshot.key"));
    }

    /** A store as one platform run has it: its own plain copies in memory, none yet from earlier runs. */
    private SnapshotStore run() {
        return new SnapshotStore(root(), key(), PlainImages.inDirectory(dir.resolve("plain-" + runs++), 1 << 20),
                4096);
    }

    private int runs;

    /** Dumps two image files into memory and seals them, as a dump does. */
    private Manifest sealedSnapshot(SnapshotStore store) throws IOException {
        Path dump;
        try {
            dump = store.prepare(FUNCTION, VERSION, 0);
        } catch (PlainImages.NoRoom e) {
            throw new AssertionError(e);
        }
        Files.write(dump.resolve("core-1.img"), "core image".getBytes());
        Files.write(dump.resolve("pages-1.img"), pages());
        return store.seal(new Manifest(Manifest.FORMAT_VERSION, FUNCTION, VERSION, "fn:1:rev", "2026-12-06T00:00:00Z",
                new HostFingerprint("jdk", "criu", "kernel", "cpu"), new Manifest.StdioInodes(1, 2, 3), List.of(), 0,
                0, 1.0, 2.0, List.of(), null), dump);
    }

    private static byte[] pages() {
        byte[] b = new byte[64 * 1024];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31);
        }
        return b;
    }

    private Path image(SnapshotStore store, String name) {
        return store.images(FUNCTION, VERSION).resolve(name);
    }

    /** Overwrites one byte in place, keeping the file's size, inode and modification time. */
    private static void flipByteUnnoticed(Path file) throws IOException {
        FileTime mtime = Files.getLastModifiedTime(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(100);
            int b = raf.read();
            raf.seek(100);
            raf.write(b ^ 1);
        }
        Files.setLastModifiedTime(file, mtime);
    }

    private static Manifest withSealing(Manifest m, Manifest.Sealing sealing) {
        return new Manifest(m.formatVersion(), m.functionName(), m.version(), m.environmentKey(), m.createdAt(),
                m.host(), m.stdio(), m.files(), m.imageBytes(), m.rssBytesAtDump(), m.initMillis(), m.dumpMillis(),
                m.warnings(), sealing);
    }

    private static String decryptionProblem(SnapshotStore store, Manifest m) throws Exception {
        try (PlainImages.Lease lease = store.plainImages(m)) {
            return "none";
        } catch (SealedFile.Broken e) {
            return e.getMessage();
        }
    }

    @Test
    void aSealedSnapshotHasAManifestListingEveryImageWithItsHashAndWrappedKey() throws Exception {
        SnapshotStore store = run();
        Manifest sealed = sealedSnapshot(store);
        assertEquals(List.of("core-1.img", "pages-1.img"), sealed.files().stream().map(Manifest.ImageFile::name)
                .toList());
        assertEquals(10 + 64 * 1024, sealed.imageBytes());
        assertEquals(SnapshotStore.sha256(image(store, "core-1.img")), sealed.files().get(0).sha256(),
                "the hash is of the file as stored, for checking copies of it");
        assertEquals(key().id(), sealed.sealing().keyId());
        assertEquals(Optional.of(sealed), store.manifest(FUNCTION, VERSION));
        assertEquals(Optional.empty(), store.verify(sealed));
    }

    @Test
    void theMemoryARestoreFillsIsThePlainSizeOfThePageImagesOnly() throws Exception {
        Manifest sealed = sealedSnapshot(run());
        assertEquals(64 * 1024, SnapshotRestorer.pageBytes(sealed));
    }

    @Test
    void theImagesOnDiskHoldNoPlainBytesAndDecryptToTheDump() throws Exception {
        Manifest m = sealedSnapshot(run());
        byte[] onDisk = Files.readAllBytes(image(run(), "core-1.img"));
        assertFalse(new String(onDisk, java.nio.charset.StandardCharsets.ISO_8859_1).contains("core image"));
        SnapshotStore nextRun = run();
        try (PlainImages.Lease lease = nextRun.plainImages(m)) {
            assertEquals("core image", Files.readString(lease.directory().resolve("core-1.img")));
            assertArrayEquals(pages(), Files.readAllBytes(lease.directory().resolve("pages-1.img")));
        }
    }

    @Test
    void theDumpStaysAsThisRunsPlainCopyAndIsNotDecryptedAgain() throws Exception {
        SnapshotStore store = run();
        Manifest m = sealedSnapshot(store);
        Path first;
        try (PlainImages.Lease lease = store.plainImages(m)) {
            first = lease.directory();
        }
        flipByteUnnoticed(image(store, "pages-1.img"));
        try (PlainImages.Lease lease = store.plainImages(m)) {
            assertEquals(first, lease.directory(), "later restores use the plain copy in memory");
        }
    }

    @Test
    void imagesWithoutAManifestAreNoSnapshot() throws IOException {
        SnapshotStore store = run();
        Files.createDirectories(store.images(FUNCTION, VERSION));
        Files.write(store.images(FUNCTION, VERSION).resolve("core-1.img"), new byte[] {1});
        assertEquals(Optional.empty(), store.manifest(FUNCTION, VERSION));
    }

    @Test
    void aManifestOfAnotherFormatIsNoSnapshot() throws IOException {
        SnapshotStore store = run();
        sealedSnapshot(store);
        Path manifest = store.directory(FUNCTION, VERSION).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"formatVersion\" : \\d+",
                "\"formatVersion\" : 1"));
        assertEquals(Optional.empty(), run().manifest(FUNCTION, VERSION));
    }

    @Test
    void anImageThatGrewIsRefused() throws IOException {
        SnapshotStore store = run();
        Manifest m = sealedSnapshot(store);
        Files.write(image(store, "pages-1.img"), new byte[] {1}, StandardOpenOption.APPEND);
        assertEquals(Optional.of("image file pages-1.img changed since the snapshot was taken"), store.verify(m));
    }

    @Test
    void anImageReplacedByAFileOfTheSameSizeIsRefused() throws IOException {
        SnapshotStore store = run();
        Manifest m = sealedSnapshot(store);
        Path image = image(store, "core-1.img");
        Path copy = dir.resolve("copy");
        Files.copy(image, copy, StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(copy, image, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Optional.of("image file core-1.img changed since the snapshot was taken"), store.verify(m));
    }

    @Test
    void aMissingOrAddedImageIsRefused() throws IOException {
        SnapshotStore store = run();
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
    void corruptionThatKeepsSizeInodeAndMtimeFailsDecryptionInTheNextPlatformRun() throws Exception {
        Manifest m = sealedSnapshot(run());
        SnapshotStore nextRun = run();
        flipByteUnnoticed(image(nextRun, "pages-1.img"));
        assertEquals(Optional.empty(), nextRun.verify(m), "the cheap check cannot see it");
        assertEquals("pages-1.img chunk 0 fails authentication (tampered with, moved, or sealed with another key)",
                decryptionProblem(nextRun, m));
        assertEquals("pages-1.img chunk 0 fails authentication (tampered with, moved, or sealed with another key)",
                decryptionProblem(nextRun, m), "a snapshot that failed is decrypted and checked again");
    }

    @Test
    void anotherMasterKeyCannotOpenTheSnapshot() throws Exception {
        Manifest m = sealedSnapshot(run());
        Files.delete(dir.resolve("snapshot.key"));
        SnapshotStore otherKey = run();
        assertTrue(decryptionProblem(otherKey, m).startsWith("the snapshot was sealed with key " + m.sealing().keyId()),
                decryptionProblem(otherKey, m));
    }

    @Test
    void aWrappedKeyAlteredInTheManifestDoesNotUnwrap() throws Exception {
        Manifest m = sealedSnapshot(run());
        byte[] wrapped = java.util.Base64.getDecoder().decode(m.sealing().wrappedDataKey());
        wrapped[3] ^= 1;
        Manifest altered = withSealing(m, new Manifest.Sealing(m.sealing().algorithm(), m.sealing().chunkBytes(),
                m.sealing().keyId(), java.util.Base64.getEncoder().encodeToString(wrapped), m.sealing().tag()));
        assertEquals("the snapshot's data key does not unwrap under key " + m.sealing().keyId(),
                decryptionProblem(run(), altered));
    }

    @Test
    void aManifestWhoseFileListWasEditedFailsItsTag() throws Exception {
        SnapshotStore store = run();
        Manifest m = sealedSnapshot(store);
        Files.delete(image(store, "core-1.img"));
        Manifest shorter = new Manifest(m.formatVersion(), m.functionName(), m.version(), m.environmentKey(),
                m.createdAt(), m.host(), m.stdio(), List.of(m.files().get(1)), m.imageBytes(), m.rssBytesAtDump(),
                m.initMillis(), m.dumpMillis(), m.warnings(), m.sealing());
        assertEquals(Optional.empty(), store.verify(shorter));
        assertEquals("the manifest's list of image files fails authentication", decryptionProblem(run(), shorter));
    }

    @Test
    void imageFilesSwappedBetweenNamesFailAuthentication() throws Exception {
        SnapshotStore store = run();
        Manifest m = sealedSnapshot(store);
        Path core = image(store, "core-1.img");
        Path pages = image(store, "pages-1.img");
        Path tmp = dir.resolve("swap");
        Files.move(core, tmp);
        Files.move(pages, core);
        Files.move(tmp, pages);
        assertTrue(decryptionProblem(run(), m).contains("fails authentication"));
    }

    @Test
    void unencryptedSnapshotsOfAnEarlierReleaseAreDeleted() throws Exception {
        SnapshotStore store = run();
        sealedSnapshot(store);
        Path old = root().resolve("old").resolve("3");
        Files.createDirectories(old.resolve("images"));
        Files.write(old.resolve("images").resolve("pages-1.img"), "plain".getBytes());
        Files.writeString(old.resolve("manifest.json"), "{\"formatVersion\" : 2}");
        assertEquals(List.of("old/3"), store.removeUnsealed());
        assertTrue(Files.notExists(old));
        assertTrue(store.manifest(FUNCTION, VERSION).isPresent(), "sealed snapshots stay");
    }

    @Test
    void aDeletedSnapshotIsGoneAndCanBeTakenAgain() throws IOException {
        SnapshotStore store = run();
        Manifest m = sealedSnapshot(store);
        Path plainCopy;
        try (PlainImages.Lease lease = store.plainImages(m)) {
            plainCopy = lease.directory();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        store.delete(FUNCTION, VERSION);
        assertEquals(Optional.empty(), store.manifest(FUNCTION, VERSION));
        assertTrue(Files.notExists(store.directory(FUNCTION, VERSION)));
        assertTrue(Files.notExists(plainCopy), "its plain copy in memory goes with it");
        Manifest again = sealedSnapshot(store);
        assertEquals(Optional.empty(), store.verify(again));
    }
}

