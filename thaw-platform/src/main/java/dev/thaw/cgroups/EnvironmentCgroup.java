package dev.thaw.cgroups;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/** One environment's cgroups, one per managed hierarchy (a single one on cgroup v2). */
public interface EnvironmentCgroup {
    /** The {@code cgroup.procs} files a process writes "0" to in order to join (before it runs user code). */
    List<Path> procsFiles();

    /** Peak memory use of the environment, if the kernel reports it. */
    OptionalLong peakMemoryBytes();

    /** Memory the environment uses now, if the kernel reports it. */
    OptionalLong currentMemoryBytes();

    /** How many times the kernel's OOM killer killed a process of the environment. */
    long oomKills();

    /** CRIU {@code --cgroup-dump-controller} names, so a dump records only the hierarchies Thaw manages. */
    List<String> criuDumpControllers();

    /**
     * Freezes every process of the environment (cgroup freezer) and returns once the kernel reports it frozen.
     *
     * @throws IllegalStateException if it did not freeze in time (it is left thawed)
     */
    void freeze();

    /** Thaws the environment; a no-op when it is not frozen. */
    void thaw();

    /** Kills what is left in the cgroup and removes it. */
    void remove();
}
