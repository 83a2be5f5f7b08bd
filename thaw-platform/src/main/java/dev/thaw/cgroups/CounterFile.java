package dev.thaw.cgroups;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * A cgroup file holding one number, kept open and read again from its start: the kernel makes the value anew on every
 * read at offset 0, so a reading taken on every invoke (REPORT's Max Memory Used) costs one {@code pread} instead of a
 * path lookup, an open, a read and a close.
 */
final class CounterFile implements AutoCloseable {
    private final Path file;
    private FileChannel channel;
    private boolean closed;

    CounterFile(Path file) {
        this.file = file;
    }

    /** The number the file holds now; empty if it cannot be read (the cgroup is gone, or the kernel has no such file). */
    synchronized OptionalLong read() {
        if (closed) {
            return OptionalLong.empty();
        }
        try {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            ByteBuffer buffer = ByteBuffer.allocate(32);
            int n = channel.read(buffer, 0);
            return parse(buffer.array(), n);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The decimal number at the start of {@code bytes}, up to its line's end. */
    static OptionalLong parse(byte[] bytes, int length) {
        long value = 0;
        int digits = 0;
        for (int i = 0; i < length && bytes[i] != '\n'; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9 || digits == 18) {
                return OptionalLong.empty();
            }
            value = value * 10 + digit;
            digits++;
        }
        return digits == 0 ? OptionalLong.empty() : OptionalLong.of(value);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a read-only descriptor: nothing was lost
            }
            channel = null;
        }
    }
}
