package dev.thaw.environments;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvironmentStateTest {
    @Test
    void environmentsServeOneInvocationAtATimeAndNeverComeBackFromDead() {
        assertTrue(EnvironmentState.IDLE.canMoveTo(EnvironmentState.BUSY));
        assertTrue(EnvironmentState.BUSY.canMoveTo(EnvironmentState.IDLE));
        assertFalse(EnvironmentState.BUSY.canMoveTo(EnvironmentState.BUSY));
        for (EnvironmentState s : EnvironmentState.values()) {
            assertFalse(EnvironmentState.DEAD.canMoveTo(s));
            assertTrue(s == EnvironmentState.DEAD || s.canMoveTo(EnvironmentState.DEAD));
        }
    }

    @Test
    void aCheckpointedEnvironmentIsNeverServedAgain() {
        assertFalse(EnvironmentState.CHECKPOINTING.canMoveTo(EnvironmentState.IDLE));
        assertFalse(EnvironmentState.CHECKPOINTING.canMoveTo(EnvironmentState.BUSY));
    }
}
