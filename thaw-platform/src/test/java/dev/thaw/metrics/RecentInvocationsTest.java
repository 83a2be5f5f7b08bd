package dev.thaw.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecentInvocationsTest {
    @Test
    void keepsTheNewestInOrderAndForgetsADeletedFunction() {
        RecentInvocations recent = new RecentInvocations(3);
        for (int i = 1; i <= 5; i++) {
            recent.add(i % 2 == 0 ? "even" : "odd", "$LATEST", PlatformMetrics.Start.WARM, i / 1000.0, "");
        }
        assertEquals(List.of(3.0, 4.0, 5.0), recent.last(10).stream().map(RecentInvocations.Record::durationMillis)
                .toList());
        recent.forget("even");
        assertEquals(List.of(3.0, 5.0), recent.last(10).stream().map(RecentInvocations.Record::durationMillis)
                .toList());
        recent.add("odd", "$LATEST", PlatformMetrics.Start.WARM, 0.006, "");
        assertEquals(List.of(3.0, 5.0, 6.0), recent.last(10).stream().map(RecentInvocations.Record::durationMillis)
                .toList());
    }

    @Test
    void intervalsHoldNearestRankPercentilesAndColdStartsByKind() {
        RecentInvocations recent = new RecentInvocations(1000);
        for (int i = 1; i <= 100; i++) {
            recent.add("f", "1", i == 1 ? PlatformMetrics.Start.RESTORE : i == 2 ? PlatformMetrics.Start.INIT
                    : PlatformMetrics.Start.WARM, i / 1000.0, i == 3 ? "Runtime.UserException" : "");
        }
        long now = System.currentTimeMillis();
        List<RecentInvocations.Interval> intervals = recent.intervals(now + 1, 60_000, 2);
        assertEquals(0, intervals.get(0).invocations());
        RecentInvocations.Interval last = intervals.get(1);
        assertEquals(100, last.invocations());
        assertEquals(50.0, last.p50Millis());
        assertEquals(99.0, last.p99Millis());
        assertEquals(1, last.restores());
        assertEquals(1, last.inits());
        assertEquals(1, last.errors());
    }
}
