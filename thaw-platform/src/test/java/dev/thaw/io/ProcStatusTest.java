package dev.thaw.io;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading /proc/<pid>/status of this JVM and of a process that has exited. */
class ProcStatusTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void aFieldIsReadWithoutItsNameAndNumbersWithoutTheirUnit() {
        assertEquals(Optional.of(Long.toString(SELF)), ProcStatus.field(SELF, "Pid"));
        assertTrue(ProcStatus.number(SELF, "Threads").orElseThrow() > 1);
        assertTrue(ProcStatus.number(SELF, "VmRSS").orElseThrow() > 1024, "VmRSS is in kilobytes");
    }

    @Test
    void aFieldIsMatchedByItsWholeName() {
        assertEquals(OptionalLong.empty(), ProcStatus.number(SELF, "Vm"));
        assertEquals(Optional.empty(), ProcStatus.field(SELF, "NoSuchField"));
    }

    @Test
    void aProcessThatExitedReadsAsEmpty() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        assertEquals(OptionalLong.empty(), ProcStatus.number(p.pid(), "VmRSS"));
    }
}
