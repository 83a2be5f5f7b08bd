package dev.thaw.cgroups;

/** An environment's limits. */
public record Limits(long memoryBytes, int cpuWeightPercent, int maxPids) {
    /** Lambda gives one full vCPU at 1,769 MB and scales CPU linearly with memory. */
    static final int MB_PER_VCPU = 1769;
    public static final int DEFAULT_MAX_PIDS = 1024;

    public static Limits forMemory(int memoryMb) {
        return new Limits(memoryMb * 1024L * 1024L, Math.max(1, memoryMb * 100 / MB_PER_VCPU), DEFAULT_MAX_PIDS);
    }
}
