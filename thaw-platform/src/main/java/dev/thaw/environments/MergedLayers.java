package dev.thaw.environments;

import dev.thaw.functions.FunctionLayer;
import dev.thaw.io.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What an environment sees at {@code /opt}: its version's layers extracted in order into one directory, a later
 * layer's file replacing an earlier one's, as Lambda does. {@code <merged root>/<sha256 of the ordered contents>} is
 * built once and shared by every version with the same layer list; its files are hard links to the layer store's
 * read-only extracted trees, so a merge costs no copy. {@link MergedLayersCleanup} removes the directories no stored
 * version and no running environment needs any more.
 */
public final class MergedLayers {
    /** Where a Java function finds a layer's libraries, as on Lambda ({@code java/lib} in the layer's zip). */
    public static final String JAVA_LIB = "/opt/java/lib";

    private final Path layerContentRoot;
    private final Path mergedRoot;

    /**
     * @param layerContentRoot the layers' content store (an extracted tree per SHA-256)
     * @param mergedRoot       where merged directories are kept
     */
    public MergedLayers(Path layerContentRoot, Path mergedRoot) {
        this.layerContentRoot = layerContentRoot;
        this.mergedRoot = mergedRoot;
        try {
            Files.createDirectories(mergedRoot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return mergedRoot;
    }

    /** The merged directory of {@code layers} (not empty), made the first time it is asked for. */
    public synchronized Path directoryFor(List<FunctionLayer> layers) {
        Path target = mergedRoot.resolve(key(layers));
        if (Files.isDirectory(target)) {
            return target;
        }
        Path staging = mergedRoot.resolve(".staging-" + UUID.randomUUID());
        try {
            try {
                merge(layers.stream().map(l -> layerContentRoot.resolve(l.sha256Hex())).toList(), staging);
                makeDirectoriesReadOnly(staging);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // Made by an earlier run with the same layers: identical.
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, target);
            } finally {
                FileTrees.delete(staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot merge the layers of " + layers + " into " + target, e);
        }
        return target;
    }

    /**
     * Removes the merged directories (and leftover staging directories) that none of {@code inUse} needs; returns
     * how many it removed. Serialized with {@link #directoryFor}, so a merge in progress is never removed.
     */
    public synchronized int removeUnused(Collection<List<FunctionLayer>> inUse) {
        Set<String> keep = new HashSet<>();
        for (List<FunctionLayer> layers : inUse) {
            if (!layers.isEmpty()) {
                keep.add(key(layers));
            }
        }
        int removed = 0;
        try (Stream<Path> children = Files.list(mergedRoot)) {
            for (Path child : children.toList()) {
                if (!keep.contains(child.getFileName().toString())) {
                    FileTrees.delete(child);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove unused merged layers under " + mergedRoot, e);
        }
        return removed;
    }

    /** Names a layer list by its contents in order: the same layers in another order merge differently. */
    static String key(List<FunctionLayer> layers) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (FunctionLayer l : layers) {
                sha.update((l.sha256Hex() + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies each source tree into {@code target} in order, as hard links; what a later source has at a path
     * replaces whatever an earlier one had there (a file, or a whole directory when the later one has a file).
     */
    static void merge(List<Path> sources, Path target) throws IOException {
        Files.createDirectories(target);
        for (Path source : sources) {
            try (Stream<Path> paths = Files.walk(source)) {
                for (Path p : (Iterable<Path>) paths::iterator) {
                    if (p.equals(source)) {
                        continue;
                    }
                    Path dest = target.resolve(source.relativize(p).toString());
                    boolean exists = Files.exists(dest, LinkOption.NOFOLLOW_LINKS);
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        if (exists && !Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                            Files.delete(dest);
                            exists = false;
                        }
                        if (!exists) {
                            Files.createDirectory(dest);
                        }
                        continue;
                    }
                    if (exists) {
                        if (Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                            FileTrees.delete(dest);
                        } else {
                            Files.delete(dest);
                        }
                    }
                    try {
                        Files.createLink(dest, p);
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
    }

    private static void makeDirectoriesReadOnly(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r-xr-xr-x"));
                }
            }
        }
    }
}
