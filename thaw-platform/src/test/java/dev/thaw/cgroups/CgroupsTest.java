package dev.thaw.cgroups;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both backends against a fake cgroup filesystem (directories and files), as Firecracker's jailer tests do. */
class CgroupsTest {
    @TempDir
    Path root;

    private Path selfCgroup(String... lines) throws IOException {
        Path f = root.resolve("self-cgroup");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    @Test
    void cgroupV2IsChosenWhenTheUnifiedHierarchyHasTheControllers() throws IOException {
        Path fs = Files.createDirectories(root.resolve("fs"));
        Files.writeString(fs.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma\n");
        Files.createDirectories(fs.resolve("user.slice"));
        Cgroups cgroups = Cgroups.detect(fs, selfCgroup("0::/user.slice"), "thaw-test");
        assertTrue(cgroups.describe().startsWith("cgroup v2"), cgroups.describe());

        EnvironmentCgroup env = cgroups.create("abc", Limits.forMemory(512));
        Path dir = fs.resolve("user.slice/thaw-test/env-abc");
        assertEquals(Long.toString(512L * 1024 * 1024), Files.readString(dir.resolve("memory.max")));
        assertEquals("28", Files.readString(dir.resolve("cpu.weight")), "512 MB of 1769 MB per vCPU");
        assertEquals("1024", Files.readString(dir.resolve("pids.max")));
        assertEquals("+memory +cpu +pids", Files.readString(fs.resolve("user.slice/cgroup.subtree_control")));
        assertEquals(List.of(dir.resolve("cgroup.procs")), env.procsFiles());

        Files.writeString(dir.resolve("memory.peak"), "73400320\n");
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        assertEquals(73400320L, env.peakMemoryBytes().getAsLong());
        assertEquals(1, env.oomKills());

        // The kernel sets "frozen 1" in cgroup.events once every task stopped; the fake one does at once.
        Files.writeString(dir.resolve("cgroup.events"), "populated 1\nfrozen 1\n");
        env.freeze();
        assertEquals("1", Files.readString(dir.resolve("cgroup.freeze")));
        env.thaw();
        assertEquals("0", Files.readString(dir.resolve("cgroup.freeze")));
    }

    @Test
    void aPlatformAloneInItsV2CgroupMovesItselfIntoALeafSoItsCgroupCanGiveControllers() throws IOException {
        Path fs = unifiedWithControllers();
        Path service = Files.createDirectories(fs.resolve("system.slice/thaw.service"));
        Files.writeString(service.resolve("cgroup.procs"), "4100\n4133\n");

        Cgroups cgroups = Cgroups.detect(fs, selfCgroup("0::/system.slice/thaw.service"), "thaw-test",
                Set.of(4100L, 4133L));
        cgroups.create("abc", Limits.forMemory(512));

        assertEquals("4133", Files.readString(service.resolve("thaw-test-platform/cgroup.procs")),
                "the platform and its child were written into the leaf, one by one");
        assertTrue(Files.isDirectory(service.resolve("thaw-test/env-abc")));
        assertEquals("+memory +cpu +pids", Files.readString(service.resolve("cgroup.subtree_control")));
    }

    @Test
    void aPlatformSharingItsV2CgroupWithOtherProcessesPutsItsEnvironmentsUnderTheRoot() throws IOException {
        Path fs = unifiedWithControllers();
        Path scope = Files.createDirectories(fs.resolve("user.slice/session-3.scope"));
        Files.writeString(scope.resolve("cgroup.procs"), "900\n4100\n");

        Cgroups cgroups = Cgroups.detect(fs, selfCgroup("0::/user.slice/session-3.scope"), "thaw-test",
                Set.of(4100L));
        cgroups.create("abc", Limits.forMemory(512));

        assertTrue(Files.isDirectory(fs.resolve("thaw-test/env-abc")), "under the root, which the rule exempts");
        assertFalse(Files.exists(scope.resolve("thaw-test")));
        assertFalse(Files.exists(scope.resolve("cgroup.subtree_control")), "the shell's scope is left alone");
    }

    @Test
    void aV2CgroupThatAlreadyGivesControllersIsUsedAsItIs() throws IOException {
        Path fs = unifiedWithControllers();
        Path delegated = Files.createDirectories(fs.resolve("system.slice/thaw.service"));
        Files.writeString(delegated.resolve("cgroup.subtree_control"), "cpu memory pids\n");

        Cgroups cgroups = Cgroups.detect(fs, selfCgroup("0::/system.slice/thaw.service"), "thaw-test", Set.of(1L));
        cgroups.create("abc", Limits.forMemory(512));

        assertTrue(Files.isDirectory(delegated.resolve("thaw-test/env-abc")));
        assertFalse(Files.exists(delegated.resolve("thaw-test-platform")));
    }

    private Path unifiedWithControllers() throws IOException {
        Path fs = Files.createDirectories(root.resolve("fs"));
        Files.writeString(fs.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma\n");
        return fs;
    }

    /** A v1 host without unified controllers; the platform's memory cgroup is /sandbox. */
    private Path v1Hierarchies() throws IOException {
        Path fs = Files.createDirectories(root.resolve("fs"));
        Files.createDirectories(fs.resolve("unified"));
        Files.writeString(fs.resolve("unified/cgroup.controllers"), "\n");
        for (String c : List.of("memory/sandbox", "cpu", "pids", "freezer")) {
            Files.createDirectories(fs.resolve(c));
        }
        return fs;
    }

    private Cgroups detectV1(Path fs) throws IOException {
        return Cgroups.detect(fs, selfCgroup("8:pids:/", "4:memory:/sandbox", "1:cpu:/", "6:freezer:/", "0::/"),
                "thaw-test");
    }

    @Test
    void cgroupV1IsUsedWhenTheUnifiedHierarchyHasNoControllers() throws IOException {
        Path fs = v1Hierarchies();
        Cgroups cgroups = detectV1(fs);
        assertTrue(cgroups.describe().startsWith("cgroup v1"), cgroups.describe());

        EnvironmentCgroup env = cgroups.create("xyz", Limits.forMemory(1769));
        assertEquals(Long.toString(1769L * 1024 * 1024),
                Files.readString(fs.resolve("memory/sandbox/thaw-test/env-xyz/memory.limit_in_bytes")));
        assertEquals("1024", Files.readString(fs.resolve("cpu/thaw-test/env-xyz/cpu.shares")), "one full vCPU");
        assertEquals("1024", Files.readString(fs.resolve("pids/thaw-test/env-xyz/pids.max")));
        assertEquals(List.of(fs.resolve("memory/sandbox/thaw-test/env-xyz/cgroup.procs"),
                fs.resolve("cpu/thaw-test/env-xyz/cgroup.procs"), fs.resolve("pids/thaw-test/env-xyz/cgroup.procs"),
                fs.resolve("freezer/thaw-test/env-xyz/cgroup.procs")), env.procsFiles());

        // The fake kernel reports the state at once; a real one passes through FREEZING.
        env.freeze();
        assertEquals("FROZEN", Files.readString(fs.resolve("freezer/thaw-test/env-xyz/freezer.state")));
        env.thaw();
        assertEquals("THAWED", Files.readString(fs.resolve("freezer/thaw-test/env-xyz/freezer.state")));
    }

    @Test
    void aV1PlatformHoldsAnEmptyCgroupFrozenWhileItRunsAndThawsItWhenItCloses() throws IOException {
        Path fs = v1Hierarchies();
        Cgroups cgroups = detectV1(fs);
        Path anchorState = fs.resolve("freezer/thaw-test/freeze-anchor/freezer.state");
        cgroups.startGuard();
        try {
            assertEquals("FROZEN", Files.readString(anchorState));
            assertTrue(CgroupFiles.environmentDirs(fs.resolve("freezer/thaw-test")).isEmpty(),
                    "the anchor is no environment: sweeps and counts leave it alone");
        } finally {
            cgroups.close();
        }
        // A real cgroupfs then removes the emptied directory; the fake one keeps the file written into it.
        assertEquals("THAWED", Files.readString(anchorState));
    }

    @Test
    void sweepingRemovesOnlyThisInstancesLeftoverEnvironments() throws IOException {
        Path fs = Files.createDirectories(root.resolve("fs"));
        Files.writeString(fs.resolve("cgroup.controllers"), "memory cpu pids\n");
        Cgroups mine = Cgroups.detect(fs, selfCgroup("0::/"), "thaw-mine");
        Cgroups other = Cgroups.detect(fs, selfCgroup("0::/"), "thaw-other");
        mine.create("old", Limits.forMemory(128));
        other.create("live", Limits.forMemory(128));
        // A real cgroup directory is empty of regular files; the fake one has the limit files, so clear them.
        for (Path d : List.of(fs.resolve("thaw-mine/env-old"), fs.resolve("thaw-other/env-live"))) {
            try (var files = Files.list(d)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
        assertEquals(1, mine.sweepLeftovers());
        assertFalse(Files.exists(fs.resolve("thaw-mine/env-old")));
        assertTrue(Files.exists(fs.resolve("thaw-other/env-live")), "another instance's environment is untouched");
    }

    @Test
    void withoutControllersThereAreNoLimitsAndItSaysWhy() throws IOException {
        Path fs = Files.createDirectories(root.resolve("empty"));
        Cgroups cgroups = Cgroups.detect(fs, selfCgroup("0::/"), "thaw-test");
        assertTrue(cgroups.describe().startsWith("no resource limits"), cgroups.describe());
        assertEquals(null, cgroups.create("e", Limits.forMemory(128)));
    }
}
