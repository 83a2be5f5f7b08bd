/**
 * Resource limits for environments through Linux cgroups: memory (MemorySize), CPU weight in proportion to memory
 * (as Lambda: 1,769 MB is one full vCPU) and a pids limit against fork bombs.
 *
 * <p>{@link dev.thaw.cgroups.Cgroups#detect()} picks cgroup v2 when the unified hierarchy has the controllers,
 * otherwise v1 (memory, cpu and pids hierarchies). Environment cgroups live under {@code thaw/} beneath the
 * platform's own cgroup in each hierarchy, so the platform never touches cgroups it does not own. Both backends
 * work on a root directory passed in, so tests run them against a fake cgroup filesystem.
 * {@link dev.thaw.cgroups.OwnMemoryLimit} reads the limit the platform itself runs under, which in a container is
 * what the platform's memory-sizing defaults must respect rather than the host's total. The peak-memory reading
 * that every REPORT takes goes through a {@link dev.thaw.cgroups.CounterFile} kept open per environment.
 */
package dev.thaw.cgroups;
