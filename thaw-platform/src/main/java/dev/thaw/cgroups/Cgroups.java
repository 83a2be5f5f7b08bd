package dev.thaw.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.logging.Logger;

/** Creates environment cgroups; {@link #none(String)} when the host offers no usable controllers. */
public interface Cgroups extends AutoCloseable {
    Logger LOG = Logger.getLogger(Cgroups.class.getName());

    /** A new cgroup for one environment, with its limits set before any process joins. */
    EnvironmentCgroup create(String environmentId, Limits limits);

    /** Removes environment cgroups left by an earlier run (killing what still runs in them). */
    int sweepLeftovers();

    /**
     * Starts a dead man's switch ({@link dev.thaw.io.DeathGuard}, outside every environment's cgroup): once the
     * platform is gone, even after a kill -9, it thaws this platform's environments, which a frozen process needs to
     * act on the SIGKILL its parent's death sends it, and removes their cgroups when they are empty.
     */
    default void startGuard() {
    }

    /** "cgroup v1", "cgroup v2" or why there are no limits. */
    String describe();

    /** Removes the platform's own (empty) parent cgroups. */
    void close();

    /**
     * Detects the host's cgroups. {@code group} names this platform instance's parent cgroup (derived from its home
     * directory), so a sweep never touches another instance's environments.
     */
    static Cgroups detect(String group) {
        return detect(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"), group);
    }

    static Cgroups detect(Path mountRoot, Path selfCgroup, String group) {
        ProcessHandle me = ProcessHandle.current();
        Set<Long> ownPids = new HashSet<>();
        ownPids.add(me.pid());
        me.descendants().forEach(p -> ownPids.add(p.pid()));
        return detect(mountRoot, selfCgroup, group, ownPids);
    }

    /** {@code ownPids}: this platform's process and its children, the processes it may move between cgroups. */
    static Cgroups detect(Path mountRoot, Path selfCgroup, String group, Set<Long> ownPids) {
        try {
            List<String> self = Files.readAllLines(selfCgroup);
            Optional<CgroupV2> v2 = CgroupV2.detect(mountRoot, self, group, ownPids);
            if (v2.isPresent()) {
                return v2.get();
            }
            Optional<CgroupV1> v1 = CgroupV1.detect(mountRoot, self, group);
            if (v1.isPresent()) {
                return v1.get();
            }
            return none("no cgroup v2 controllers and no cgroup v1 memory, cpu and pids hierarchies under "
                    + mountRoot);
        } catch (IOException | RuntimeException e) {
            return none("cannot read cgroups: " + e.getMessage());
        }
    }

    /** No limits: environments run unconstrained, and the platform says so once at startup. */
    static Cgroups none(String why) {
        return new Cgroups() {
            @Override
            public EnvironmentCgroup create(String environmentId, Limits limits) {
                return null;
            }

            @Override
            public int sweepLeftovers() {
                return 0;
            }

            @Override
            public String describe() {
                return "no resource limits (" + why + ")";
            }

            @Override
            public void close() {
            }
        };
    }
}
