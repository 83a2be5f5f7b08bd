package dev.thaw.it;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's first command, {@code ./thaw demo}, through the launcher: setup, a platform of its own, the Spring
 * example deployed with SnapStart, plain cold starts next to snapshot restores, and the ratio. It asserts what the
 * demo shows, not how fast it is, and that it leaves nothing behind.
 */
class DemoIT {
    private static final Pattern SUMMARY = Pattern.compile(
            "thaw demo: median cold start (\\d+) ms plain, (\\d+) ms from the snapshot: ([\\d.]+)x faster");

    @Test
    void theDemoComparesPlainColdStartsWithSnapshotRestoresOfTheSpringExample() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the demo takes a snapshot: CRIU needs root");
        try (LocalCommand demo = new LocalCommand("demo")) {
            assertEquals(0, demo.runLauncher(10, "demo"), () -> "./thaw demo failed:\n" + demo.tail());
            demo.assertNothingLeft();
            String out = demo.output();
            assertTrue(out.contains("thaw demo: version 1 Active after"), out);
            assertTrue(out.contains("plain cold start  ($LATEST, INIT)") && out.contains("Init Duration"), out);
            assertTrue(out.contains("snapshot restore  (version 1, CRIU)") && out.contains("Restore Duration"), out);
            assertTrue(out.contains("thaw demo: response ") && out.contains("pong"), out);
            Matcher m = SUMMARY.matcher(out);
            assertTrue(m.find(), out);
            assertTrue(Long.parseLong(m.group(1)) > 0 && Long.parseLong(m.group(2)) > 0, m.group());
        }
    }
}
