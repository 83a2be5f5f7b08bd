package dev.thaw.environments;

import dev.thaw.cgroups.EnvironmentCgroup;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreezerTest {
    /** A cgroup that only records what the freezer asked of it. */
    private static final class RecordingCgroup implements EnvironmentCgroup {
        int freezes;
        int thaws;
        boolean failThaw;

        @Override
        public List<Path> procsFiles() {
            return List.of();
        }

        @Override
        public OptionalLong peakMemoryBytes() {
            return OptionalLong.empty();
        }

        @Override
        public OptionalLong currentMemoryBytes() {
            return OptionalLong.empty();
        }

        @Override
        public long oomKills() {
            return 0;
        }

        @Override
        public List<String> criuDumpControllers() {
            return List.of();
        }

        @Override
        public void freeze() {
            freezes++;
        }

        @Override
        public void thaw() {
            if (failThaw) {
                throw new IllegalStateException("gone");
            }
            thaws++;
        }

        @Override
        public void remove() {
        }
    }

    private final RecordingCgroup cgroup = new RecordingCgroup();
    private final AtomicReference<EnvironmentState> state = new AtomicReference<>(EnvironmentState.IDLE);
    private final Freezer freezer = new Freezer(cgroup, state::get, "test");

    @Test
    void aLeaseThawsAFrozenEnvironmentFirst() {
        freezer.freeze();
        assertTrue(freezer.isFrozen());
        assertTrue(freezer.lease());
        assertFalse(freezer.isFrozen());
        assertEquals(1, cgroup.thaws);
    }

    @Test
    void aLeasedEnvironmentIsNotFrozenUntilReleased() {
        assertTrue(freezer.lease());
        freezer.freeze();
        assertEquals(0, cgroup.freezes);
        freezer.release();
        freezer.freeze();
        assertEquals(1, cgroup.freezes);
    }

    @Test
    void onlyAnIdleEnvironmentIsFrozenOrLeased() {
        state.set(EnvironmentState.BUSY);
        freezer.freeze();
        assertEquals(0, cgroup.freezes);
        assertFalse(freezer.lease());
    }

    @Test
    void anEnvironmentThatCannotBeThawedIsNotLeased() {
        freezer.freeze();
        cgroup.failThaw = true;
        assertFalse(freezer.lease());
        assertTrue(freezer.isFrozen());
    }

    @Test
    void withoutCgroupsNothingIsFrozen() {
        Freezer none = new Freezer(null, state::get, "test");
        none.freeze();
        assertFalse(none.isFrozen());
        assertTrue(none.lease());
    }
}
