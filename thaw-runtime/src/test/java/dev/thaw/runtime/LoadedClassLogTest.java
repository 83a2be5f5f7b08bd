package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadedClassLogTest {

    @Test
    void nothingIsRecordedBeforeTheLogIsArmed() {
        LoadedClassLog log = new LoadedClassLog();
        log.record("a.DuringInit");
        log.arm();
        log.record("a.FirstRequest");
        assertEquals(List.of("a.FirstRequest"), log.takeUnreported());
    }

    @Test
    void eachNameIsReportedOnceInFirstLoadedOrder() {
        LoadedClassLog log = new LoadedClassLog();
        log.arm();
        log.record("a.B");
        log.record("a.A");
        log.record("a.B");
        assertTrue(log.hasUnreported());
        assertEquals(List.of("a.B", "a.A"), log.takeUnreported());
        assertFalse(log.hasUnreported());
        log.record("a.A");
        log.record("a.C");
        assertEquals(List.of("a.C"), log.takeUnreported(), "only what is new since the last report");
    }

    @Test
    void hiddenClassNamesAreLeftOutAndTheLogStopsAtItsBound() {
        LoadedClassLog log = new LoadedClassLog(3);
        log.arm();
        log.record("a.Lambda$$Lambda/0x0000000800c01234");
        for (int i = 0; i < 10; i++) {
            log.record("a.C" + i);
        }
        assertEquals(List.of("a.C0", "a.C1", "a.C2"), log.takeUnreported());
        log.record("a.More");
        assertEquals(List.of(), log.takeUnreported());
    }

    @Test
    void theFunctionLoaderRecordsWhatItIsAskedForAfterArming() throws Exception {
        LoadedClassLog log = new LoadedClassLog();
        try (FunctionClassLoader loader = FunctionClassLoader.of(java.nio.file.Path.of("no-such-task-root"), log)) {
            loader.loadClass("java.util.concurrent.Phaser");
            log.arm();
            loader.loadClass("java.util.concurrent.Exchanger");
            try {
                loader.loadClass("no.such.Thing");
            } catch (ClassNotFoundException expected) {
                // a probe for an optional class is not a class the function uses
            }
            assertEquals(List.of("java.util.concurrent.Exchanger"), log.takeUnreported());
        }
    }
}
