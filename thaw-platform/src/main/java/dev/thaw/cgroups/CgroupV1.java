package dev.thaw.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** cgroup v1: one directory per environment in each of the memory, cpu, pids and freezer hierarchies. */
final class CgroupV1 implements Cgroups {
    static final List<String> CONTROLLERS = List.of("memory", "cpu", "pids", "freezer");

    /** controller → the platform's own cgroup path inside that hierarchy (e.g. "/" or "/user.slice"). */
    private final Map<String, String> ownPaths;
    private final Path mountRoot;
    private final String group;

    private CgroupV1(Path mountRoot, Map<String, String> ownPaths, String group) {
        this.mountRoot = mountRoot;
        this.group = group;
        this.ownPaths = ownPaths;
    }

    static Optional<CgroupV1> detect(Path mountRoot, List<String> selfCgroup, String group) {
        Map<String, String> own = new LinkedHashMap<>();
        for (String c : CONTROLLERS) {
            Optional<String> path = CgroupFiles.ownPath(selfCgroup, c);
            if (path.isEmpty() || !Files.isDirectory(mountRoot.resolve(c))) {
                return Optional.empty();
            }
            own.put(c, path.get());
        }
        return Optional.of(new CgroupV1(mountRoot, own, group));
    }

    private Path parent(String controller) {
        return mountRoot.resolve(controller).resolve(ownPaths.get(controller).substring(1)).resolve(group);
    }

    private String parentPath(String controller) {
        String own = ownPaths.get(controller);
        return (own.endsWith("/") ? own : own + "/") + group;
    }

    @Override
    public EnvironmentCgroup create(String environmentId, Limits limits) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        try {
            for (String c : CONTROLLERS) {
                Path dir = parent(c).resolve("env-" + environmentId);
                Files.createDirectories(dir);
                dirs.put(c, dir);
            }
            Path memory = dirs.get("memory");
            CgroupFiles.write(memory.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
            if (Files.exists(memory.resolve("memory.memsw.limit_in_bytes"))) {
                // No swap: the limit is the limit, as in Lambda.
                CgroupFiles.write(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(limits.memoryBytes()));
            }
            CgroupFiles.write(dirs.get("cpu").resolve("cpu.shares"),
                    Integer.toString(Math.max(2, limits.cpuWeightPercent() * 1024 / 100)));
            CgroupFiles.write(dirs.get("pids").resolve("pids.max"), Integer.toString(limits.maxPids()));
        } catch (java.io.IOException | RuntimeException e) {
            dirs.values().forEach(CgroupFiles::killAndRemove);
            throw new IllegalStateException("cannot create cgroups for environment " + environmentId + ": "
                    + e.getMessage(), e);
        }
        return new Environment(environmentId, dirs);
    }

    private dev.thaw.io.DeathGuard guard;

    @Override
    public void startGuard() {
        guard = CgroupFiles.startGuard(parent("freezer"), "freezer.state", "THAWED",
                CONTROLLERS.stream().map(this::parent).toList());
        holdFreezerActive();
    }

    /**
     * The kernel turns the v1 freezer's hooks on when a first cgroup starts freezing and off when the last one
     * thaws, and each turn patches kernel code on every CPU, which made the freeze or thaw of a lone environment
     * many times dearer (docs/architecture.md, "Freezing"); a provisioned copy's thaw is on its invoke's path. An
     * empty cgroup held frozen while the platform runs keeps the hooks on.
     */
    private void holdFreezerActive() {
        Path anchor = freezeAnchor();
        try {
            Files.createDirectories(anchor);
            Files.writeString(anchor.resolve("freezer.state"), "FROZEN");
        } catch (java.io.IOException e) {
            Cgroups.LOG.fine("no freezer anchor (each freeze and thaw turns the kernel's hooks): " + e);
        }
    }

    /** The empty cgroup held frozen beside the environments' (see {@link #holdFreezerActive}). */
    private Path freezeAnchor() {
        return parent("freezer").resolve(CgroupFiles.FREEZE_ANCHOR);
    }

    @Override
    public int sweepLeftovers() {
        java.util.Set<String> environments = new java.util.HashSet<>();
        // A frozen v1 task does not act on SIGKILL until it is thawed.
        for (Path dir : CgroupFiles.environmentDirs(parent("freezer"))) {
            try {
                Files.writeString(dir.resolve("freezer.state"), "THAWED");
            } catch (java.io.IOException gone) {
                // removed meanwhile
            }
        }
        for (String c : CONTROLLERS) {
            for (Path dir : CgroupFiles.environmentDirs(parent(c))) {
                CgroupFiles.killAndRemove(dir);
                environments.add(dir.getFileName().toString());
            }
        }
        return environments.size();
    }

    @Override
    public void close() {
        if (guard != null) {
            guard.dismiss();
        }
        Path anchor = freezeAnchor();
        if (Files.isDirectory(anchor)) {
            try {
                Files.writeString(anchor.resolve("freezer.state"), "THAWED");
            } catch (java.io.IOException gone) {
                // removed meanwhile
            }
            CgroupFiles.removeIfEmpty(anchor);
        }
        for (String c : CONTROLLERS) {
            CgroupFiles.removeIfEmpty(parent(c));
        }
    }

    @Override
    public String describe() {
        return "cgroup v1 (memory, cpu, pids, freezer under " + parentPath("memory") + ")";
    }

    private final class Environment implements EnvironmentCgroup {
        private final String id;
        private final Map<String, Path> dirs;
        private final CounterFile peak;

        Environment(String id, Map<String, Path> dirs) {
            this.id = id;
            this.dirs = dirs;
            this.peak = new CounterFile(dirs.get("memory").resolve("memory.max_usage_in_bytes"));
        }

        @Override
        public List<Path> procsFiles() {
            return dirs.values().stream().map(d -> d.resolve("cgroup.procs")).toList();
        }

        @Override
        public OptionalLong peakMemoryBytes() {
            return peak.read();
        }

        @Override
        public OptionalLong currentMemoryBytes() {
            return CgroupFiles.readLong(dirs.get("memory").resolve("memory.usage_in_bytes"));
        }

        @Override
        public long oomKills() {
            return CgroupFiles.keyed(dirs.get("memory").resolve("memory.oom_control"), "oom_kill");
        }

        @Override
        public List<String> criuDumpControllers() {
            return CONTROLLERS;
        }

        @Override
        public void freeze() {
            Path state = dirs.get("freezer").resolve("freezer.state");
            CgroupFiles.write(state, "FROZEN");
            if (!CgroupFiles.await(state, "FROZEN", 2000)) {
                thaw();
                throw new IllegalStateException("environment " + id + " did not freeze within 2 s");
            }
        }

        @Override
        public void thaw() {
            CgroupFiles.write(dirs.get("freezer").resolve("freezer.state"), "THAWED");
        }

        @Override
        public void remove() {
            // A frozen v1 task does not act on SIGKILL until it is thawed.
            try {
                thaw();
            } catch (IllegalStateException gone) {
                // already removed
            }
            peak.close();
            dirs.values().forEach(CgroupFiles::killAndRemove);
        }
    }
}
