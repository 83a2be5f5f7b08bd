package dev.thaw.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FifosTest {
    @TempDir
    Path dir;

    @Test
    void aFifoIsMadeForItsOwnerAloneAndCarriesALine() throws IOException {
        Path fifo = dir.resolve("go");
        Fifos.make(fifo);

        assertTrue(Files.readAttributes(fifo, BasicFileAttributes.class).isOther(), "neither a file nor a directory");
        assertEquals(0010000, ((Integer) Files.getAttribute(fifo, "unix:mode")) & 0170000, "S_IFIFO");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo)));
        try (RandomAccessFile pipe = new RandomAccessFile(fifo.toFile(), "rw")) {
            pipe.write("go\n".getBytes());
            assertEquals("go", pipe.readLine());
        }
    }

    @Test
    void aPathThatExistsIsRefusedWithItsErrno() throws IOException {
        Path taken = Files.createFile(dir.resolve("taken"));
        IOException e = assertThrows(IOException.class, () -> Fifos.make(taken));
        assertTrue(e.getMessage().contains("errno 17"), e.getMessage());
    }
}
