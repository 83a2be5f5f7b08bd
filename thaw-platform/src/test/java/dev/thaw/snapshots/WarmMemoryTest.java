package dev.thaw.snapshots;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmMemoryTest {
    private static final long MB = 1L << 20;

    @Test
    void theReserveFillsToItsTargetWithMemoryThatIsResident() throws Exception {
        long anonBefore = rssAnon();
        try (WarmMemory warm = new WarmMemory(2 * WarmMemory.SEGMENT_BYTES, Duration.ofMillis(50))) {
            awaitHeld(warm, 2 * WarmMemory.SEGMENT_BYTES);
            // Every page was touched, so the process's anonymous resident memory grew by at least the reserve.
            assertTrue(rssAnon() - anonBefore >= 2 * WarmMemory.SEGMENT_BYTES - 2 * MB,
                    "resident growth " + (rssAnon() - anonBefore));
        }
    }

    @Test
    void aReleaseUnmapsWholeHugePagesAndTheReserveFillsAgainOnceRestoresPause() throws Exception {
        try (WarmMemory warm = new WarmMemory(WarmMemory.SEGMENT_BYTES, Duration.ofMillis(300))) {
            awaitHeld(warm, WarmMemory.SEGMENT_BYTES);
            warm.release(3 * MB);
            assertEquals(WarmMemory.SEGMENT_BYTES - 4 * MB, warm.heldBytes());
            warm.release(100 * MB);
            assertEquals(0, warm.heldBytes());
            awaitHeld(warm, WarmMemory.SEGMENT_BYTES);
        }
    }

    @Test
    void aBurstLargerThanTheReserveGrowsItToTheBurstAndItShrinksBackAfterTheHold() throws Exception {
        long segment = WarmMemory.SEGMENT_BYTES;
        try (WarmMemory warm = new WarmMemory(segment, 4 * segment, Duration.ofMillis(200), Duration.ofSeconds(2))) {
            awaitHeld(warm, segment);
            for (int i = 0; i < 3; i++) {
                warm.restoreStarted();
            }
            for (int i = 0; i < 3; i++) {
                warm.release(segment);
                warm.restoreEnded();
            }
            assertEquals(3 * segment, warm.targetBytes());
            awaitHeld(warm, 3 * segment);
            // Two seconds after the burst the target is the base again, and what was held beyond it is unmapped.
            await(warm::targetBytes, segment);
            awaitHeld(warm, segment);
        }
    }

    @Test
    void closingUnmapsTheReserveAndLaterReleasesDoNothing() throws Exception {
        // The outer close only matters when an assertion fails first: the reserve and its thread go either way.
        try (WarmMemory warm = new WarmMemory(WarmMemory.SEGMENT_BYTES, Duration.ZERO)) {
            awaitHeld(warm, WarmMemory.SEGMENT_BYTES);
            warm.close();
            assertEquals(0, warm.heldBytes());
            warm.release(MB);
            assertEquals(0, warm.heldBytes());
        }
    }

    @Test
    void anEmptyReserveHoldsNothing() {
        try (WarmMemory none = WarmMemory.none()) {
            none.release(64 * MB);
            assertEquals(0, none.heldBytes());
        }
    }

    private static void awaitHeld(WarmMemory warm, long bytes) throws InterruptedException {
        await(warm::heldBytes, bytes);
    }

    private static void await(LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (value.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, value.getAsLong());
    }

    /** RssAnon of this process, in bytes. */
    private static long rssAnon() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no RssAnon in /proc/self/status");
    }
}
