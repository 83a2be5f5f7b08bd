package dev.thaw.environments;

import java.util.ArrayList;
import java.util.List;

/**
 * JVM flags for an environment. One set for every environment, plain or snapshot, so that INIT for a snapshot runs
 * with exactly the flags its restored copies have. The GC settings keep the heap compact (small snapshot images and
 * little idle RSS); C1 only, as Lambda's Java runtimes do, because environments are short-lived.
 */
public final class JvmOptions {
    private JvmOptions() {
    }

    /** The flags of an ordinary environment, with the JDK's CDS archive. */
    public static List<String> forMemory(int memoryMb, int javaRelease) {
        List<String> flags = common(memoryMb, javaRelease);
        flags.add("-Xshare:auto");
        return flags;
    }

    /**
     * The flags of an environment of the AOT-cache mode: {@code cacheFlag} ({@code -XX:AOTCacheOutput=} to train,
     * {@code -XX:AOTCache=} to use) in place of {@code -Xshare}, which the JVM refuses beside it.
     */
    public static List<String> withAotCache(int memoryMb, int javaRelease, String cacheFlag) {
        List<String> flags = common(memoryMb, javaRelease);
        flags.add(cacheFlag);
        return flags;
    }

    private static List<String> common(int memoryMb, int javaRelease) {
        int heapMb = Math.max(48, memoryMb * 70 / 100);
        List<String> flags = new ArrayList<>(List.of(
                "-Xmx" + heapMb + "m",
                "-XX:+UseG1GC",
                "-XX:MinHeapFreeRatio=5",
                "-XX:MaxHeapFreeRatio=10",
                "-XX:ParallelGCThreads=1",
                "-XX:ConcGCThreads=1",
                "-XX:TieredStopAtLevel=1",
                "-XX:CICompilerCount=1",
                "-XX:-UsePerfData",
                // Map the CDS or AOT archive at its own base address instead of a random one: relocating it writes
                // to every page, which made all 12 MB of it private memory, copied into every snapshot image.
                "-XX:+UnlockDiagnosticVMOptions",
                "-XX:ArchiveRelocationMode=0",
                // Fewer threads: each one is created, stopped and released again by every restore (about 0.5 ms
                // apiece). Without refinement threads G1's mutators refine their own cards, a small cost at these
                // heap sizes; JDK 17's notification thread hands its work to the service thread.
                "-XX:G1ConcRefinementThreads=0",
                "-Djava.net.preferIPv4Stack=true",
                "-Dorg.crac.Core.Compat=dev.thaw.runtime.crac"));
        if (javaRelease < 21) {
            flags.add("-XX:-UseNotificationThread"); // deprecated in 21, gone in 25
        }
        if (javaRelease >= 24) {
            // The runtime reads a provisioned copy's restored pages through sun.misc.Unsafe (RestoredPages), which
            // JDK 24 and later warn about on stderr, into the function's log, unless allowed.
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        // The runtime re-seeds the JDK's global random state after a restore (see dev.thaw.runtime.Reseeder).
        for (String pkg : List.of("java.base/java.lang", "java.base/java.util", "java.base/java.util.concurrent",
                "java.base/java.net", "java.base/sun.security.provider",
                javaRelease >= 22 ? "java.base/jdk.internal.random" : "jdk.random/jdk.random")) {
            flags.add("--add-opens");
            flags.add(pkg + "=ALL-UNNAMED");
        }
        return flags;
    }
}
