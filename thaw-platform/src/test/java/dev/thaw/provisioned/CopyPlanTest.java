package dev.thaw.provisioned;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CopyPlanTest {
    @Test
    void startsWhatIsMissingButAtMostFourAtOnce() {
        assertEquals(2, CopyPlan.toStart(2, 0, 0));
        assertEquals(1, CopyPlan.toStart(3, 1, 1));
        assertEquals(4, CopyPlan.toStart(10, 0, 0));
        assertEquals(0, CopyPlan.toStart(10, 0, 4));
        assertEquals(0, CopyPlan.toStart(2, 2, 0));
        assertEquals(0, CopyPlan.toStart(1, 3, 0), "surplus copies are the pool's to stop, never negative starts");
    }

    @Test
    void configurationsOfOneVersionShareItsCopiesInOrder() {
        assertEquals(2, CopyPlan.allocated(2, 3, 0));
        assertEquals(1, CopyPlan.allocated(2, 3, 2));
        assertEquals(0, CopyPlan.allocated(2, 1, 2));
    }

    @Test
    void readyWhenAllAreLiveFailedOnlyWhileCopiesCannotBeMade() {
        assertEquals(ProvisionedStatus.Status.READY, CopyPlan.status(2, 2, Optional.of("old failure")));
        assertEquals(ProvisionedStatus.Status.FAILED, CopyPlan.status(2, 1, Optional.of("INIT failed")));
        assertEquals(ProvisionedStatus.Status.IN_PROGRESS, CopyPlan.status(2, 0, Optional.empty()));
    }

    @Test
    void retriesBackOffFromTwoSecondsToAMinute() {
        assertEquals(0, CopyPlan.retryDelayMillis(0));
        assertEquals(2_000, CopyPlan.retryDelayMillis(1));
        assertEquals(4_000, CopyPlan.retryDelayMillis(2));
        assertEquals(60_000, CopyPlan.retryDelayMillis(10));
    }
}
