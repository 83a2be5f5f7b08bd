package dev.thaw.functions;

import dev.thaw.errors.ThawException;
import dev.thaw.io.FileTrees;
import dev.thaw.objects.ObjectStore;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Content-addressed, immutable storage of deployment packages.
 *
 * <p>{@code code/<sha256>.zip} keeps the package byte for byte (GetFunction serves it back) and
 * {@code code/<sha256>/} is its extracted task root, read-only. A package is written once and shared by every
 * version that has the same bytes; extraction goes to a temporary folder and is renamed into place, so a crash
 * never leaves a half-extracted task root under a valid name. Files are read-only; those the zip marks executable
 * in their Unix mode (and any file named {@code bootstrap}) are executable too, as on Lambda.
 *
 * <p>With a shared {@link ObjectStore}, every archive is also uploaded as {@code <prefix>/<sha256>.zip}, and a
 * package this host has not seen is fetched from there ({@link #ensure}) and checked against its name's SHA-256.
 */
public final class CodeStore {
    /** AWS's limit on the unzipped size of a function package. */
    static final long MAX_UNZIPPED_BYTES = 262_144_000L;

    private final Path root;
    private final ObjectStore objects;
    private final String keyPrefix;
    private final java.util.concurrent.ConcurrentHashMap<String, Object> fetching =
            new java.util.concurrent.ConcurrentHashMap<>();

    public CodeStore(Path root) {
        this(root, ObjectStore.homeOnly(), "");
    }

    /** A store whose archives are also kept in {@code objects} under {@code keyPrefix} (e.g. {@code code/}). */
    public CodeStore(Path root, ObjectStore objects, String keyPrefix) {
        this.root = root;
        this.objects = objects;
        this.keyPrefix = keyPrefix;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Validates, stores and extracts a package; idempotent for identical bytes. */
    public CodePackage store(byte[] zip) {
        return store(zip, objects.shared());
    }

    private CodePackage store(byte[] zip, boolean upload) {
        byte[] digest = sha256(zip);
        String hex = HexFormat.of().formatHex(digest);
        Path archive = archivePath(hex);
        Path taskRoot = taskRoot(hex);
        try {
            if (!Files.isDirectory(taskRoot)) {
                Path staging = root.resolve(".staging-" + UUID.randomUUID());
                try {
                    extract(zip, staging);
                    makeReadOnly(staging, executables(zip, staging));
                    moveIntoPlace(staging, taskRoot);
                } finally {
                    FileTrees.delete(staging);
                }
            }
            if (!Files.exists(archive)) {
                Path tmp = root.resolve(".staging-" + UUID.randomUUID() + ".zip");
                Files.write(tmp, zip);
                moveIntoPlace(tmp, archive);
            }
            if (upload) {
                objects.put(keyPrefix + hex + ".zip", archive);
            }
        } catch (dev.thaw.objects.ObjectStoreException e) {
            throw ThawException.service("cannot store code package in the object store: " + e.getMessage(), e);
        } catch (IOException e) {
            throw ThawException.service("cannot store code package", e);
        }
        return new CodePackage(hex, Base64.getEncoder().encodeToString(digest), zip.length);
    }

    /** The object store this store mirrors to; it also reads {@code Code.S3Bucket} packages. */
    public ObjectStore objects() {
        return objects;
    }

    /**
     * Makes sure a package is on this host, fetching it from the object store if another instance stored it.
     *
     * @throws ThawException ServiceException when the package is nowhere or fails its SHA-256
     */
    public void ensure(String sha256Hex) {
        if (!objects.shared() || (Files.isDirectory(taskRoot(sha256Hex)) && Files.exists(archivePath(sha256Hex)))) {
            return;
        }
        synchronized (fetching.computeIfAbsent(sha256Hex, k -> new Object())) {
            try {
                if (Files.isDirectory(taskRoot(sha256Hex)) && Files.exists(archivePath(sha256Hex))) {
                    return;
                }
                Path download = root.resolve(".fetch-" + UUID.randomUUID() + ".zip");
                try {
                    if (!objects.get(keyPrefix + sha256Hex + ".zip", download)) {
                        throw ThawException.service("code package " + sha256Hex + " is neither on this host nor "
                                + "in the object store", null);
                    }
                    byte[] zip = Files.readAllBytes(download);
                    if (!HexFormat.of().formatHex(sha256(zip)).equals(sha256Hex)) {
                        throw ThawException.service("code package " + sha256Hex + " fetched from the object store "
                                + "fails its SHA-256 check", null);
                    }
                    store(zip, false);
                } finally {
                    Files.deleteIfExists(download);
                }
            } catch (IOException | dev.thaw.objects.ObjectStoreException e) {
                throw ThawException.service("cannot fetch code package " + sha256Hex + ": " + e.getMessage(), e);
            } finally {
                fetching.remove(sha256Hex);
            }
        }
    }

    public Path taskRoot(String sha256Hex) {
        return root.resolve(sha256Hex);
    }

    public Path archivePath(String sha256Hex) {
        return root.resolve(sha256Hex + ".zip");
    }

    /** Removes packages no version refers to any more. */
    public void deleteUnless(String sha256Hex, boolean stillReferenced) {
        if (stillReferenced) {
            return;
        }
        try {
            FileTrees.delete(taskRoot(sha256Hex));
            Files.deleteIfExists(archivePath(sha256Hex));
            if (objects.shared()) {
                objects.delete(keyPrefix + sha256Hex + ".zip");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void extract(byte[] zip, Path target) throws IOException {
        Files.createDirectories(target);
        long total = 0;
        int entries = 0;
        String current = null;
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                entries++;
                current = entry.getName();
                Path dest = target.resolve(entry.getName()).normalize();
                if (!dest.startsWith(target) || entry.getName().startsWith("/")) {
                    throw ThawException.invalidParameter("Could not unzip uploaded file: entry '" + entry.getName()
                            + "' escapes the package's folder.");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(dest);
                    continue;
                }
                if (dest.equals(target)) {
                    throw conflictingEntry(entry.getName());
                }
                Files.createDirectories(dest.getParent());
                total += copyBounded(in, dest, MAX_UNZIPPED_BYTES - total);
            }
        } catch (java.util.zip.ZipException e) {
            throw notAZip();
        } catch (FileAlreadyExistsException | java.nio.file.NotDirectoryException
                 | java.nio.file.DirectoryNotEmptyException e) {
            // Entries that cannot all exist: a file and a folder of one name, or a file named like its folder.
            throw conflictingEntry(current);
        } catch (java.nio.file.FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("Is a directory")) {
                throw conflictingEntry(current);
            }
            throw e;
        }
        if (entries == 0) {
            throw notAZip();
        }
    }

    private static ThawException conflictingEntry(String name) {
        return ThawException.invalidParameter("Could not unzip uploaded file: entry '" + name
                + "' conflicts with another entry of the package (a file and a folder of the same name).");
    }

    private static ThawException notAZip() {
        return ThawException.invalidParameter(
                "Could not unzip uploaded file. Please check your file, then try to upload again.");
    }

    private static long copyBounded(InputStream in, Path dest, long budget) throws IOException {
        long written = 0;
        byte[] buf = new byte[65536];
        try (var out = Files.newOutputStream(dest)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                written += n;
                if (written > budget) {
                    throw ThawException.invalidParameter(
                            "Unzipped size must be smaller than " + MAX_UNZIPPED_BYTES + " bytes");
                }
                out.write(buf, 0, n);
            }
        }
        return written;
    }

    /**
     * The files whose entry has an executable bit in its Unix mode (the zip's external attributes, kept only in the
     * central directory), as Lambda keeps them. A zip made without Unix modes has none.
     */
    static Set<Path> executables(byte[] zip, Path target) {
        Set<Path> executable = new HashSet<>();
        try (ZipFile file = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
            for (ZipArchiveEntry e : Collections.list(file.getEntries())) {
                if (!e.isDirectory() && e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX
                        && (e.getUnixMode() & 0111) != 0) {
                    executable.add(target.resolve(e.getName()).normalize());
                }
            }
        } catch (IOException e) {
            // The entries were extracted already; a central directory this reader refuses only loses the modes.
            return Set.of();
        }
        return executable;
    }

    private static void makeReadOnly(Path dir, Set<Path> executables) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                boolean executable = Files.isDirectory(p) || executables.contains(p)
                        || p.getFileName().toString().equals("bootstrap");
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(executable ? "r-xr-xr-x" : "r--r--r--"));
            }
        }
    }

    private static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            // A concurrent upload of the same bytes won the race; its copy is identical.
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
