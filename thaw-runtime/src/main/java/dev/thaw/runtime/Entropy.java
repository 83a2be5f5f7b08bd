package dev.thaw.runtime;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** Fresh bytes for re-seeding, read from /dev/urandom: the kernel's state is the one thing a restored copy does not share. */
final class Entropy {

    private final ByteBuffer pool;

    private Entropy(byte[] bytes) {
        this.pool = ByteBuffer.wrap(bytes);
    }

    static Entropy fromUrandom(int size) throws IOException {
        try (InputStream in = new FileInputStream("/dev/urandom")) {
            byte[] bytes = in.readNBytes(size);
            if (bytes.length != size) {
                throw new IOException("short read from /dev/urandom: " + bytes.length + " of " + size);
            }
            return new Entropy(bytes);
        }
    }

    static Entropy of(byte[] bytes) {
        return new Entropy(bytes.clone());
    }

    long nextLong() {
        return pool.getLong();
    }

    byte[] nextBytes(int count) {
        byte[] bytes = new byte[count];
        pool.get(bytes);
        return bytes;
    }
}
