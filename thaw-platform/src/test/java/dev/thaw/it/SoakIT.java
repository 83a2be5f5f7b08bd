package dev.thaw.it;

import dev.thaw.cli.Soak;
import dev.thaw.cli.SoakReport;
import dev.thaw.cli.SoakSample;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A soak of a real {@code thaw server} ({@link Soak}): two minutes of mixed load after a warm-up (synchronous invokes
 * from 4 callers, 20 Event invokes/s with unique ids, a function that always throws, every idle environment evicted
 * every 2 s, so environments keep starting and stopping), then a quiet period. The platform must give back what
 * the load took: its threads, open files and environment processes return to the baseline taken after the warm-up
 * and a quiet period (so pools created lazily are in it), its memory stays bounded, and every accepted event is
 * delivered exactly once. Each test checks one of these on the same run; the report is printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SoakIT {
    private static final Soak.Plan PLAN = Soak.Plan.of(Duration.ofMinutes(2),
            ThawServerProcess.REPO.resolve("examples"));
    /** A hang guard, not a timing: the plan's phases, with its bounded waits for delivery, end well before. */
    private static final Duration LIMIT = Duration.ofMinutes(25);
    /**
     * Threads the end may have over the baseline. A healthy JVM's count moves by a few between two quiet moments
     * (JIT compiler and GC workers come and go); a thread kept per environment grows by one for every environment
     * the load started, far more than this.
     */
    private static final long THREAD_MARGIN = 10;
    /** Open file descriptors the end may have over the baseline; each environment holds several while it runs. */
    private static final int FD_MARGIN = 20;
    /**
     * How far RSS may rise above the baseline at any sample: generous, because under load the JVM may grow its heap
     * and give it back only later, so this catches a runaway; the thread check catches what each environment keeps.
     */
    private static final double RSS_BOUND_MB = 512;
    /** Events the load must at least have had accepted: half of 20/s over the warm-up and the load. */
    private static final long MIN_EVENTS = 10 * PLAN.warmUp().plus(PLAN.load()).toSeconds();
    /**
     * Environments the evictions must at least have stopped, so that the load went through many environments' whole
     * lives; the failing function's environment alone is idle at nearly every eviction.
     */
    private static final long MIN_EVICTED = 30;

    private ThawServerProcess server;
    private SoakReport report;

    @BeforeAll
    void soak() {
        server = ThawServerProcess.start();
        report = assertTimeoutPreemptively(LIMIT, () -> Soak.run(server.endpoint(), server.pid(), PLAN, line -> {
                    System.out.println("soak " + line);
                    server.environmentPids(); // remembered for the check that none outlives the server
                }));
        System.out.println(report.markdown());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void threadsReturnToTheBaseline() {
        long grew = report.end().threads() - report.baseline().threads();
        assertTrue(grew <= THREAD_MARGIN, () -> "the platform has " + grew + " threads more than at the baseline "
                + "(margin " + THREAD_MARGIN + "); grew: " + report.threadGrowth());
    }

    @Test
    void openFileDescriptorsReturnToTheBaseline() {
        int grew = report.end().fds() - report.baseline().fds();
        assertTrue(grew <= FD_MARGIN, () -> "the platform holds " + grew + " file descriptors more than at the "
                + "baseline (margin " + FD_MARGIN + ")");
    }

    @Test
    void environmentProcessesReturnToTheBaseline() {
        SoakSample baseline = report.baseline();
        SoakSample end = report.end();
        assertEquals(baseline.environments(), end.environments(), "environments the API reports after the quiet "
                + "period");
        assertTrue(end.processes() <= baseline.processes(), () -> "the platform has " + end.processes()
                + " descendant processes after the quiet period, " + baseline.processes() + " at the baseline");
    }

    @Test
    void residentMemoryStaysBounded() {
        double bound = report.baseline().rssMb() + RSS_BOUND_MB;
        assertTrue(report.peak().rssMb() <= bound, () -> String.format(java.util.Locale.ROOT, "RSS peaked at %.0f MB, "
                + "over the baseline's %.0f MB + %.0f MB", report.peak().rssMb(), report.baseline().rssMb(),
                RSS_BOUND_MB));
    }

    @Test
    void everyEventIsDeliveredExactlyOnce() {
        SoakReport.Events events = report.events();
        assertEquals(0, events.refused(), "Event invokes not accepted; first error: " + report.load().firstError());
        assertTrue(events.accepted() >= MIN_EVENTS, () -> "only " + events.accepted() + " events were accepted");
        assertEquals(0, events.missing(), "accepted events never delivered");
        assertEquals(0, events.duplicated(), "events delivered more than once");
        assertEquals(events.accepted(), events.delivered(), "events delivered");
    }

    @Test
    void invokesKeepBeingAnsweredWhileEnvironmentsComeAndGo() {
        SoakReport.Load load = report.load();
        assertEquals(0, load.synchronousFailed(), "failed synchronous invokes; first error: " + load.firstError());
        assertEquals(0, load.failingOtherwise(), "invokes of the failing function not answered with its error; "
                + "first error: " + load.firstError());
        assertTrue(load.synchronous() > 0 && load.failedAsExpected() > 0, load::toString);
        assertTrue(load.environmentsEvicted() >= MIN_EVICTED, () -> "evictions stopped only "
                + load.environmentsEvicted() + " environments");
    }
}
