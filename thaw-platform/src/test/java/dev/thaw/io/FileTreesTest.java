package dev.thaw.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FileTreesTest {
    @TempDir
    Path temp;

    @Test
    void deletesATreeAndRemovesLinksWithoutFollowingThem() throws IOException {
        Path outside = Files.writeString(Files.createDirectories(temp.resolve("outside")).resolve("keep"), "x");
        Path tree = temp.resolve("tree");
        Files.writeString(Files.createDirectories(tree.resolve("a/b")).resolve("file"), "y");
        Files.createSymbolicLink(tree.resolve("a/link"), outside.getParent());

        FileTrees.delete(tree);

        assertFalse(Files.exists(tree));
        assertEquals("x", Files.readString(outside));
    }

    @Test
    void refusesToDeleteFilesOfAnotherFileSystemMountedInsideTheTree() throws Exception {
        assumeTrue("0".equals(run("id", "-u")), "mounting needs root");
        Path tree = temp.resolve("tree");
        Path mountPoint = Files.createDirectories(tree.resolve("mnt"));
        assumeTrue(new ProcessBuilder("mount", "-t", "tmpfs", "tmpfs", mountPoint.toString()).start().waitFor() == 0);
        try {
            Path mounted = Files.writeString(mountPoint.resolve("mounted-file"), "z");

            IOException e = assertThrows(IOException.class, () -> FileTrees.delete(tree));

            assertTrue(e.getMessage().contains("mount point"), e.getMessage());
            assertEquals("z", Files.readString(mounted));
        } finally {
            new ProcessBuilder("umount", mountPoint.toString()).start().waitFor();
        }
        FileTrees.delete(tree);
        assertFalse(Files.exists(tree));
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return out;
    }
}
