package dev.thaw.cgroups;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnMemoryLimitTest {
    @TempDir
    Path root;

    @Test
    void cgroupV2TakesTheSmallestLimitFromItsCgroupUpToTheRoot() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
        write("kubepods/pod1/memory.max", "4294967296\n");
        write("kubepods/pod1/app/memory.max", "max\n");
        assertEquals(OptionalLong.of(4294967296L), OwnMemoryLimit.bytes(root, List.of("0::/kubepods/pod1/app")));
    }

    @Test
    void cgroupV2WithoutAnyLimitHasNone() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "memory\n");
        write("user.slice/memory.max", "max\n");
        assertTrue(OwnMemoryLimit.bytes(root, List.of("0::/user.slice")).isEmpty());
    }

    @Test
    void cgroupV1ReadsTheMemoryHierarchyAndIgnoresItsNoLimitValue() throws Exception {
        write("memory/docker/abc/memory.limit_in_bytes", "2147483648\n");
        write("memory/docker/memory.limit_in_bytes", "9223372036854771712\n");
        List<String> self = List.of("12:pids:/docker/abc", "7:memory:/docker/abc", "1:name=systemd:/docker/abc");
        assertEquals(OptionalLong.of(2147483648L), OwnMemoryLimit.bytes(root, self));
        write("memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n");
        assertTrue(OwnMemoryLimit.bytes(root, self).isEmpty());
    }

    @Test
    void thisProcessCanBeAsked() {
        OptionalLong limit = OwnMemoryLimit.bytes();
        assertTrue(limit.isEmpty() || limit.getAsLong() > 0);
    }

    private void write(String file, String content) throws Exception {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
    }
}
