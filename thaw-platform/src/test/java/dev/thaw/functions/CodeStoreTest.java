package dev.thaw.functions;

import dev.thaw.errors.ThawException;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodeStoreTest {
    @TempDir
    Path dir;

    private static byte[] zip(String... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                z.putNextEntry(new ZipEntry(namesAndContents[i]));
                z.write(namesAndContents[i + 1].getBytes());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void storesPackagesByContentAndExtractsThemReadOnly() throws IOException {
        CodeStore store = new CodeStore(dir);
        byte[] bytes = zip("a/B.class", "x", "lib/dep.jar", "y");
        CodePackage first = store.store(bytes);
        CodePackage second = store.store(bytes);
        assertEquals(first, second);
        Path root = store.taskRoot(first.sha256Hex());
        assertEquals("x", Files.readString(root.resolve("a/B.class")));
        assertFalse(Files.isWritable(root.resolve("a/B.class")) && !isRoot());
        assertTrue(Files.exists(store.archivePath(first.sha256Hex())));
    }

    @Test
    void keepsTheExecutableBitOfTheZipsUnixModesAndNothingElse() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(out)) {
            for (String[] entry : new String[][] {{"bin/tool", "755"}, {"bin/notes.txt", "644"},
                    {"bin/owner-only", "700"}}) {
                ZipArchiveEntry e = new ZipArchiveEntry(entry[0]);
                e.setUnixMode(Integer.parseInt(entry[1], 8));
                z.putArchiveEntry(e);
                z.write("#!/bin/sh\necho hi\n".getBytes());
                z.closeArchiveEntry();
            }
        }
        CodeStore store = new CodeStore(dir);
        Path root = store.taskRoot(store.store(out.toByteArray()).sha256Hex());
        assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("bin/tool"))));
        assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                root.resolve("bin/owner-only"))), "read-only for all, executable when the zip says so");
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                root.resolve("bin/notes.txt"))));

        Path plain = store.taskRoot(store.store(zip("bin/tool", "x", "bootstrap", "y")).sha256Hex());
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                plain.resolve("bin/tool"))), "a zip without Unix modes has no executables");
        assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                plain.resolve("bootstrap"))), "but bootstrap runs, as before");
    }

    @Test
    void refusesEntriesThatEscapeTheTaskRoot() throws IOException {
        CodeStore store = new CodeStore(dir.resolve("code"));
        ThawException e = assertThrows(ThawException.class, () -> store.store(zip("../evil", "z")));
        assertTrue(e.getMessage().contains("escapes"));
        assertFalse(Files.exists(dir.resolve("evil")));
    }

    @Test
    void refusesBytesThatAreNotAZip() {
        CodeStore store = new CodeStore(dir);
        assertThrows(ThawException.class, () -> store.store("plain text".getBytes()));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
