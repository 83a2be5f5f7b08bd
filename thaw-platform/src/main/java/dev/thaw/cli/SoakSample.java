package dev.thaw.cli;

/**
 * One reading of a platform's footprint during a soak: its JVM's threads, open file descriptors and resident memory
 * (from {@code /proc}), the environments its API reports, and its live descendant processes (environments and
 * whatever they started), which would also show processes the platform lost track of.
 *
 * @param elapsedSeconds since the soak started
 * @param phase          what the soak was doing: warm-up, baseline, load, delivery, quiet or end
 */
public record SoakSample(double elapsedSeconds, String phase, long threads, int fds, double rssMb, int environments,
                         long processes) {

    static SoakSample take(long platformPid, ApiClient api, double elapsedSeconds, String phase) {
        int environments = api.environmentCount();
        long processes = ProcessHandle.of(platformPid).map(h -> h.descendants().count()).orElse(0L);
        return new SoakSample(elapsedSeconds, phase, ProcStats.threads(platformPid), ProcStats.openFds(platformPid),
                ProcStats.rssKb(platformPid) / 1024.0, environments, processes);
    }
}
