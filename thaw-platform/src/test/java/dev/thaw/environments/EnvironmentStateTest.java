package dev.thaw.environments;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void aSpawnedEnvironmentRunsInitOrTrainsBeforeItServesAndARestoredCopyServesAfterItsHooks() {
        assertFalse(EnvironmentState.STARTING.canMoveTo(EnvironmentState.IDLE));
        assertFalse(EnvironmentState.STARTING.canMoveTo(EnvironmentState.BUSY));
        assertTrue(EnvironmentState.STARTING.canMoveTo(EnvironmentState.INITIALIZING));
        assertTrue(EnvironmentState.RESTORING.canMoveTo(EnvironmentState.BUSY));
        assertTrue(EnvironmentState.RESTORING.canMoveTo(EnvironmentState.IDLE));
        assertFalse(EnvironmentState.RESTORING.canMoveTo(EnvironmentState.CHECKPOINTING));
    }

    @Test
    void aTrainingRunOnlyEnds() {
        assertTrue(EnvironmentState.STARTING.canMoveTo(EnvironmentState.TRAINING));
        for (EnvironmentState s : EnvironmentState.values()) {
            assertEquals(s == EnvironmentState.DEAD, EnvironmentState.TRAINING.canMoveTo(s), s.name());
        }
    }
}
