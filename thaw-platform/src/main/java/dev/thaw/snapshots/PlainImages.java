package dev.thaw.snapshots;

import dev.thaw.io.DeathGuard;
import dev.thaw.io.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The only place where snapshot images exist unencrypted: a tmpfs the platform mounts for itself (mode 0700) and
 * unmounts when it stops, or, where it cannot mount one, a directory in /dev/shm. CRIU dumps into it, and each
 * snapshot this host restores has one plain copy here, made by the dump or by decrypting the sealed images at the
 * first restore. The tmpfs is bounded (a quarter of the host's memory by default); when a new copy does not fit,
 * the least recently used copies that no restore is reading are deleted, and are decrypted again if needed later.
 * If the platform dies, a guard unmounts the tmpfs, so no plain image outlives it.
 */
final class PlainImages implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PlainImages.class.getName());

    private final Path root;
    private final long capacity;
    private final boolean mounted;
    private final DeathGuard guard;
    /** Access order: the first entry is the least recently used. */
    private final LinkedHashMap<String, Copy> copies = new LinkedHashMap<>(16, 0.75f, true);
    private long used;

    /** A snapshot's plain copy did not fit, or the host has no memory-backed storage for it. */
    static final class NoRoom extends Exception {
        NoRoom(String message) {
            super(message);
        }
    }

    private static final class Copy {
        final Path directory;
        final long bytes;
        int readers;
        /** Dropped while a restore read it: deleted when the last hold goes. */
        boolean doomed;

        Copy(Path directory, long bytes) {
            this.directory = directory;
            this.bytes = bytes;
        }
    }

    /** A restore's hold on a plain copy: the copy is not evicted until the hold is closed. */
    final class Lease implements AutoCloseable {
        private final Copy copy;
        private boolean closed;

        private Lease(Copy copy) {
            this.copy = copy;
        }

        Path directory() {
            return copy.directory;
        }

        @Override
        public void close() {
            synchronized (PlainImages.this) {
                if (!closed) {
                    closed = true;
                    copy.readers--;
                    if (copy.readers == 0 && copy.doomed) {
                        deleteQuietly(copy.directory);
                    }
                }
            }
        }
    }

    private PlainImages(Path root, long capacity, boolean mounted, DeathGuard guard) {
        this.root = root;
        this.capacity = capacity;
        this.mounted = mounted;
        this.guard = guard;
    }

    /**
     * Mounts a fresh tmpfs of {@code capacity} bytes at {@code mountPoint} (unmounting one a killed run left
     * there). Where mounting is refused, falls back to a private directory in /dev/shm.
     */
    static PlainImages mount(Path mountPoint, long capacity) {
        try {
            Files.createDirectories(mountPoint);
            run("umount", "-l", mountPoint.toString());
            run("mount", "-t", "tmpfs", "-o", "size=" + capacity + ",mode=0700,nosuid,nodev,noexec",
                    "thaw-snapshot-images", mountPoint.toString());
            if (isTmpfs(mountPoint)) {
                DeathGuard guard = DeathGuard.start("thaw-images-guard",
                        "umount -l \"$1\" 2>/dev/null; rmdir \"$1\" 2>/dev/null", List.of(mountPoint.toString()));
                return new PlainImages(mountPoint, capacity, true, guard);
            }
        } catch (IOException e) {
            LOG.warning("cannot mount a tmpfs for plain snapshot images at " + mountPoint + ": " + e.getMessage());
        }
        Path shm = Path.of("/dev/shm", mountPoint.getFileName().toString());
        try {
            if (!isTmpfs(Path.of("/dev/shm"))) {
                throw new IOException("/dev/shm is not a tmpfs");
            }
            FileTrees.delete(shm);
            Files.createDirectory(shm, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            DeathGuard guard = DeathGuard.start("thaw-images-guard", "rm -rf --one-file-system \"$1\"",
                    List.of(shm.toString()));
            LOG.warning("plain snapshot images are kept in " + shm + " instead");
            return new PlainImages(shm, capacity, false, guard);
        } catch (IOException e) {
            LOG.warning("no memory-backed storage for plain snapshot images (" + e.getMessage()
                    + "): SnapStart cannot take or restore snapshots");
            return new PlainImages(null, 0, false, null);
        }
    }

    /** Plain copies in an existing directory, for tests: nothing is mounted. */
    static PlainImages inDirectory(Path directory, long capacity) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PlainImages(directory, capacity, false, null);
    }

    /** A quarter of the host's memory (MemTotal). */
    static long defaultCapacity() {
        try {
            java.util.OptionalLong total = dev.thaw.io.HostMemory.totalBytes();
            if (total.isPresent()) {
                return total.getAsLong() / 4;
            }
        } catch (UncheckedIOException | NumberFormatException e) {
            // fall through
        }
        return 1L << 30;
    }

    Path root() {
        return root;
    }

    long capacity() {
        return capacity;
    }

    synchronized long usedBytes() {
        return used;
    }

    /**
     * A fresh directory for CRIU to dump into, after making room for about {@code expectedBytes}; {@code label}
     * (function and version) makes its name say whose images it holds.
     */
    synchronized Path staging(String label, long expectedBytes) throws NoRoom, IOException {
        requireStorage();
        makeRoom(expectedBytes);
        return Files.createDirectory(root.resolve("dump-" + label + "-" + UUID.randomUUID()));
    }

    /** Makes a dump's staging directory the plain copy of snapshot {@code key}, held by nobody. */
    synchronized void adopt(String key, Path staging, long bytes) {
        Copy old = copies.remove(key);
        if (old != null) {
            discard(old);
        }
        copies.put(key, new Copy(staging, bytes));
        used += bytes;
        try {
            makeRoom(0);
        } catch (NoRoom ignored) {
            // every other copy is being read; the kernel's size limit still holds
        }
    }

    /** A hold on the plain copy of {@code key}, if this host has one. */
    synchronized Optional<Lease> lease(String key) {
        Copy copy = copies.get(key);
        if (copy == null) {
            return Optional.empty();
        }
        copy.readers++;
        return Optional.of(new Lease(copy));
    }

    /** The part of a snapshot's key before its last "/" (function and version), fit for a directory name. */
    private static String label(String key) {
        int last = key.lastIndexOf('/');
        return (last > 0 ? key.substring(0, last) : key).replaceAll("[^A-Za-z0-9_.-]", "-");
    }

    /** Writes the plain files of a new copy into a directory; the copy counts only if this returns. */
    interface Filler {
        void fill(Path directory) throws IOException, SealedFile.Broken;
    }

    /**
     * Makes the plain copy of {@code key} ({@code bytes} in all) with {@code filler} and returns a hold on it.
     * Callers serialise this per key (see SnapshotStore), so one snapshot is never decrypted twice at once.
     */
    Lease fill(String key, long bytes, Filler filler) throws NoRoom, IOException, SealedFile.Broken {
        Copy copy;
        synchronized (this) {
            requireStorage();
            makeRoom(bytes);
            copy = new Copy(root.resolve("copy-" + label(key) + "-" + UUID.randomUUID()), bytes);
            copy.readers = 1;
            Files.createDirectory(copy.directory);
            used += bytes;
        }
        boolean filled = false;
        try {
            filler.fill(copy.directory);
            filled = true;
        } finally {
            synchronized (this) {
                if (filled) {
                    Copy old = copies.put(key, copy);
                    if (old != null) {
                        discard(old);
                    }
                } else {
                    used -= bytes;
                    deleteQuietly(copy.directory);
                }
            }
        }
        return new Lease(copy);
    }

    /** Deletes the plain copies whose key starts with {@code prefix} (a deleted or re-taken snapshot). */
    synchronized void drop(String prefix) {
        for (Iterator<Map.Entry<String, Copy>> it = copies.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Copy> e = it.next();
            if (e.getKey().startsWith(prefix)) {
                it.remove();
                discard(e.getValue());
            }
        }
    }

    /** Deletes every plain copy and unmounts the tmpfs. */
    @Override
    public synchronized void close() {
        if (root == null) {
            return;
        }
        copies.clear();
        used = 0;
        try {
            if (mounted) {
                run("umount", "-l", root.toString());
                Files.deleteIfExists(root);
            } else if (guard != null) {
                FileTrees.delete(root);
            }
        } catch (IOException e) {
            LOG.warning("cannot remove the plain snapshot images at " + root + ": " + e.getMessage());
        }
        if (guard != null) {
            guard.dismiss();
        }
    }

    private void requireStorage() throws NoRoom {
        if (root == null) {
            throw new NoRoom("this host has no memory-backed storage for plain snapshot images");
        }
    }

    /** Deletes least recently used copies that nobody reads until {@code bytes} more fit. */
    private void makeRoom(long bytes) throws NoRoom {
        if (bytes > capacity) {
            throw new NoRoom("the snapshot's " + bytes + " bytes exceed the " + capacity
                    + " bytes of memory kept for plain snapshot images");
        }
        List<String> evicted = new ArrayList<>();
        for (Iterator<Map.Entry<String, Copy>> it = copies.entrySet().iterator();
             it.hasNext() && used + bytes > capacity; ) {
            Map.Entry<String, Copy> e = it.next();
            if (e.getValue().readers == 0) {
                it.remove();
                discard(e.getValue());
                evicted.add(e.getKey());
            }
        }
        if (!evicted.isEmpty()) {
            LOG.info(() -> "evicted the plain images of " + evicted + " to make room");
        }
        if (used + bytes > capacity) {
            throw new NoRoom("no room for " + bytes + " bytes of plain snapshot images: " + used + " of "
                    + capacity + " bytes are being restored from");
        }
    }

    private void discard(Copy copy) {
        used -= copy.bytes;
        if (copy.readers > 0) {
            copy.doomed = true;
        } else {
            deleteQuietly(copy.directory);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            LOG.warning("cannot delete " + dir + ": " + e.getMessage());
        }
    }

    private static boolean isTmpfs(Path p) throws IOException {
        return "tmpfs".equals(Files.getFileStore(p).type());
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out");
            }
            // umount of something not mounted fails harmlessly; mount's failure is checked by isTmpfs.
            if (p.exitValue() != 0 && command[0].equals("mount")) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
