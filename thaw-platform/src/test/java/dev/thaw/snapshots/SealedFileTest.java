package dev.thaw.snapshots;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.SecretKey;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sealing one image file in authenticated chunks, and every way a sealed file can be broken. */
class SealedFileTest {
    private static final int CHUNK = 1000;
    /** One record on disk: final flag, length, IV, ciphertext and tag. */
    private static final int RECORD = 1 + 4 + 12 + CHUNK + 16;
    private static final int HEADER = 13;

    @TempDir
    Path dir;

    private final SecretKey key = MasterKey.newDataKey();

    private Path plain(int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        Path p = dir.resolve("plain-" + size);
        Files.write(p, bytes);
        return p;
    }

    private Path seal(Path plain, String name) throws IOException {
        Path sealed = dir.resolve(plain.getFileName() + ".sealed");
        SealedFile.seal(plain, Files.newOutputStream(sealed), name, key, CHUNK);
        return sealed;
    }

    private byte[] open(Path sealed, String name, SecretKey with) throws IOException, SealedFile.Broken {
        Path out = dir.resolve("opened");
        SealedFile.open(sealed, out, name, with);
        return Files.readAllBytes(out);
    }

    @Test
    void filesOfEverySizeAroundTheChunkSizeComeBackUnchanged() throws Exception {
        for (int size : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7}) {
            Path plain = plain(size);
            Path sealed = seal(plain, "pages-1.img");
            assertArrayEquals(Files.readAllBytes(plain), open(sealed, "pages-1.img", key), "size " + size);
            int chunks = Math.max(1, (size + CHUNK - 1) / CHUNK);
            assertEquals(HEADER + (long) chunks * (1 + 4 + 12 + 16) + size, Files.size(sealed), "size " + size);
        }
    }

    @Test
    void theSealedFileDoesNotContainThePlainBytes() throws Exception {
        Path plain = dir.resolve("secret");
        Files.writeString(plain, "CRIU header; password=hunter2-very-secret ".repeat(100));
        byte[] sealed = Files.readAllBytes(seal(plain, "core-1.img"));
        String text = new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("hunter2"));
        assertFalse(text.contains("CRIU"));
    }

    @Test
    void aFlippedByteAnywhereFailsAuthentication() throws Exception {
        Path sealed = seal(plain(3 * CHUNK + 7), "pages-1.img");
        byte[] good = Files.readAllBytes(sealed);
        for (int offset : new int[] {HEADER + 1, HEADER + 5, HEADER + 20, HEADER + RECORD + 500, good.length - 1}) {
            byte[] bad = good.clone();
            bad[offset] ^= 0x01;
            Files.write(sealed, bad);
            assertThrows(SealedFile.Broken.class, () -> open(sealed, "pages-1.img", key), "offset " + offset);
        }
    }

    @Test
    void swappedChunksFailAuthentication() throws Exception {
        Path sealed = seal(plain(3 * CHUNK), "pages-1.img");
        byte[] b = Files.readAllBytes(sealed);
        byte[] first = Arrays.copyOfRange(b, HEADER, HEADER + RECORD);
        System.arraycopy(b, HEADER + RECORD, b, HEADER, RECORD);
        System.arraycopy(first, 0, b, HEADER + RECORD, RECORD);
        Files.write(sealed, b);
        SealedFile.Broken e = assertThrows(SealedFile.Broken.class, () -> open(sealed, "pages-1.img", key));
        assertTrue(e.getMessage().contains("chunk 0 fails authentication"), e.getMessage());
    }

    @Test
    void aFileCutAtAChunkBoundaryOrInsideAChunkIsTruncated() throws Exception {
        Path sealed = seal(plain(3 * CHUNK), "pages-1.img");
        try (RandomAccessFile f = new RandomAccessFile(sealed.toFile(), "rw")) {
            f.setLength(HEADER + 2L * RECORD);
        }
        SealedFile.Broken atBoundary = assertThrows(SealedFile.Broken.class, () -> open(sealed, "pages-1.img", key));
        assertEquals("pages-1.img is truncated: it ends before its last chunk", atBoundary.getMessage());
        try (RandomAccessFile f = new RandomAccessFile(sealed.toFile(), "rw")) {
            f.setLength(HEADER + RECORD + 100);
        }
        SealedFile.Broken inside = assertThrows(SealedFile.Broken.class, () -> open(sealed, "pages-1.img", key));
        assertEquals("pages-1.img is truncated inside chunk 1", inside.getMessage());
    }

    @Test
    void aLastChunkPassedOffAsTheEndOfAShorterFileFailsAuthentication() throws Exception {
        Path sealed = seal(plain(3 * CHUNK), "pages-1.img");
        byte[] b = Files.readAllBytes(sealed);
        byte[] cut = Arrays.copyOf(b, HEADER + 2 * RECORD);
        cut[HEADER + RECORD] = 1;  // mark chunk 1 as the last
        Files.write(sealed, cut);
        assertThrows(SealedFile.Broken.class, () -> open(sealed, "pages-1.img", key));
    }

    @Test
    void bytesAfterTheLastChunkAreRefused() throws Exception {
        Path sealed = seal(plain(10), "pages-1.img");
        Files.write(sealed, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        SealedFile.Broken e = assertThrows(SealedFile.Broken.class, () -> open(sealed, "pages-1.img", key));
        assertEquals("pages-1.img has data after its last chunk", e.getMessage());
    }

    @Test
    void aFileOpenedUnderAnotherNameFailsAuthentication() throws Exception {
        Path sealed = seal(plain(10), "pages-1.img");
        assertThrows(SealedFile.Broken.class, () -> open(sealed, "pages-2.img", key));
    }

    @Test
    void anotherKeyFailsAuthentication() throws Exception {
        Path sealed = seal(plain(10), "pages-1.img");
        assertThrows(SealedFile.Broken.class, () -> open(sealed, "pages-1.img", MasterKey.newDataKey()));
    }

    @Test
    void aPlainFileIsNotASealedImage() throws Exception {
        SealedFile.Broken e = assertThrows(SealedFile.Broken.class, () -> open(plain(100), "pages-1.img", key));
        assertEquals("pages-1.img is not a sealed image", e.getMessage());
    }
}
