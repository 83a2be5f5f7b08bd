package dev.thaw.snapshots;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded plain copies in memory: least recently used go first, never one a restore is reading. */
class PlainImagesTest {
    @TempDir
    Path dir;

    private static PlainImages.Lease fill(PlainImages images, String key, int bytes) throws Exception {
        return images.fill(key, bytes, d -> Files.write(d.resolve("pages-1.img"), new byte[bytes]));
    }

    @Test
    void theLeastRecentlyUsedCopyThatNobodyReadsIsEvictedToMakeRoom() throws Exception {
        PlainImages images = PlainImages.inDirectory(dir, 300);
        Path a;
        Path b;
        try (PlainImages.Lease l = fill(images, "a", 100)) {
            a = l.directory();
        }
        try (PlainImages.Lease l = fill(images, "b", 100)) {
            b = l.directory();
        }
        images.lease("a").orElseThrow().close();  // a is now more recently used than b
        fill(images, "c", 150).close();
        assertTrue(Files.exists(a));
        assertTrue(Files.notExists(b), "b was the least recently used");
        assertTrue(images.lease("b").isEmpty());
        assertEquals(250, images.usedBytes());
    }

    @Test
    void aCopyBeingReadIsNeverEvictedAndTooLittleRoomIsSaid() throws Exception {
        PlainImages images = PlainImages.inDirectory(dir, 200);
        PlainImages.Lease reading = fill(images, "a", 150);
        PlainImages.NoRoom e = assertThrows(PlainImages.NoRoom.class, () -> fill(images, "b", 100));
        assertTrue(e.getMessage().contains("being restored from"), e.getMessage());
        assertTrue(Files.exists(reading.directory().resolve("pages-1.img")));
        reading.close();
        fill(images, "b", 100).close();
        assertTrue(Files.notExists(reading.directory()));
        assertThrows(PlainImages.NoRoom.class, () -> fill(images, "huge", 201));
    }

    @Test
    void aCopyThatFailsToFillLeavesNothingBehind() throws Exception {
        PlainImages images = PlainImages.inDirectory(dir, 200);
        assertThrows(SealedFile.Broken.class, () -> images.fill("a", 100, d -> {
            Files.write(d.resolve("half"), new byte[50]);
            throw new SealedFile.Broken("tampered");
        }));
        assertEquals(0, images.usedBytes());
        assertTrue(images.lease("a").isEmpty());
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void aDroppedCopyThatIsBeingReadGoesWhenTheReadEnds() throws Exception {
        PlainImages images = PlainImages.inDirectory(dir, 200);
        PlainImages.Lease reading = fill(images, "fn/1/t", 100);
        images.drop("fn/1/");
        assertTrue(Files.exists(reading.directory()));
        assertTrue(images.lease("fn/1/t").isEmpty());
        reading.close();
        assertTrue(Files.notExists(reading.directory()));
    }
}
