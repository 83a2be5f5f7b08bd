package dev.thaw.runtime;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Stdin, read one byte at a time. The process is checkpointed while blocked here, and each restored copy gets
 * a new stdin; a buffered reader could have read ahead into the old one, so nothing here buffers.
 */
final class RestoreChannel {

    private final InputStream in;

    RestoreChannel(InputStream in) {
        this.in = in;
    }

    static RestoreChannel stdin() {
        return new RestoreChannel(new FileInputStream(FileDescriptor.in));
    }

    /** The next line without its terminator; empty at end of stream. */
    Optional<String> readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return Optional.empty();
        }
        return Optional.of(line.toString(StandardCharsets.UTF_8).strip());
    }
}
