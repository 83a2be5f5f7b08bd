package dev.thaw.snapshots;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.thaw.io.FileTrees;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Snapshot images on disk: {@code snapshots/<function>/<version>/images/} plus {@code manifest.json}, readable by
 * root only. A snapshot counts as present only once its manifest is written, and the manifest is written last, so a
 * crash mid-dump leaves nothing restorable. Integrity: a cheap check (sizes, mtimes, inodes) before every restore;
 * the full SHA-256 check once per snapshot per platform run, remembered in memory.
 */
public final class SnapshotStore {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;
    private final Set<String> fullyVerified = ConcurrentHashMap.newKeySet();
    private final Map<Path, ParsedManifest> parsed = new ConcurrentHashMap<>();

    public SnapshotStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path directory(String function, String version) {
        return root.resolve(function).resolve(version);
    }

    public Path images(String function, String version) {
        return directory(function, version).resolve("images");
    }

    /** Creates an empty image directory for a new dump, removing any previous attempt. */
    public Path prepare(String function, String version) throws IOException {
        Path dir = directory(function, version);
        FileTrees.delete(dir);
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return images;
    }

    /** Hashes the images and writes the manifest; from then on the snapshot exists. */
    public Manifest seal(Manifest draft) throws IOException {
        Path images = images(draft.functionName(), draft.version());
        List<Manifest.ImageFile> files = new ArrayList<>();
        long total = 0;
        try (var list = Files.list(images)) {
            for (Path f : list.sorted().toList()) {
                FileStamp a = FileStamp.read(f);
                files.add(new Manifest.ImageFile(f.getFileName().toString(), a.size(), a.mtimeMillis(), a.inode(),
                        sha256(f)));
                total += a.size();
            }
        }
        Manifest sealed = new Manifest(draft.formatVersion(), draft.functionName(), draft.version(),
                draft.environmentKey(), draft.createdAt(), draft.host(), draft.stdio(), files, total,
                draft.rssBytesAtDump(), draft.initMillis(), draft.dumpMillis(), draft.warnings());
        Path dir = directory(draft.functionName(), draft.version());
        Path tmp = dir.resolve("manifest.json.tmp");
        JSON.writeValue(tmp.toFile(), sealed);
        Files.move(tmp, dir.resolve("manifest.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        fullyVerified.add(key(sealed));
        return sealed;
    }

    public Optional<Manifest> manifest(String function, String version) {
        Path file = directory(function, version).resolve("manifest.json");
        Optional<FileStamp> stamp = FileStamp.of(file);
        if (stamp.isEmpty() || !stamp.get().regularFile()) {
            return Optional.empty();
        }
        // Parsed once per manifest file: reading it on every restore cost 1-3 ms of the restore's path.
        ParsedManifest cached = parsed.get(file);
        if (cached != null && cached.stamp().equals(stamp.get())) {
            return Optional.of(cached.manifest());
        }
        try {
            Manifest m = JSON.readValue(file.toFile(), Manifest.class);
            if (m.formatVersion() != Manifest.FORMAT_VERSION) {
                return Optional.empty();
            }
            parsed.put(file, new ParsedManifest(stamp.get(), m));
            return Optional.of(m);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A file's identity and last change as one stat(2) reads them. */
    private record FileStamp(boolean regularFile, long size, long mtimeMillis, long inode) {
        static FileStamp read(Path p) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, "unix:isRegularFile,size,lastModifiedTime,ino");
            return new FileStamp((Boolean) a.get("isRegularFile"), (Long) a.get("size"),
                    ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis(),
                    ((Number) a.get("ino")).longValue());
        }

        /** Empty where the file is missing or unreadable. */
        static Optional<FileStamp> of(Path p) {
            try {
                return Optional.of(read(p));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }

    private record ParsedManifest(FileStamp stamp, Manifest manifest) {
    }

    /**
     * Checks the images against the manifest: always sizes, mtimes and inodes, and the full hashes the first time
     * in this platform run. Returns the problem, or empty when the snapshot can be restored.
     */
    public Optional<String> verify(Manifest m) {
        Path images = images(m.functionName(), m.version());
        try (var list = Files.list(images)) {
            if (list.count() != m.files().size()) {
                return Optional.of("the number of image files changed");
            }
            for (Manifest.ImageFile f : m.files()) {
                Optional<FileStamp> a = FileStamp.of(images.resolve(f.name()));
                if (a.isEmpty() || !a.get().regularFile()) {
                    return Optional.of("image file " + f.name() + " is missing");
                }
                if (!a.get().equals(new FileStamp(true, f.size(), f.mtimeMillis(), f.inode()))) {
                    return Optional.of("image file " + f.name() + " changed since the snapshot was taken");
                }
            }
            if (!fullyVerified.contains(key(m))) {
                for (Manifest.ImageFile f : m.files()) {
                    if (!sha256(images.resolve(f.name())).equals(f.sha256())) {
                        return Optional.of("image file " + f.name() + " fails its SHA-256 check");
                    }
                }
                fullyVerified.add(key(m));
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot read the images: " + e.getMessage());
        }
    }

    /** Records that a snapshot was restored now (the mtime of a marker file beside the manifest). */
    public void markUsed(String function, String version) {
        Path marker = directory(function, version).resolve("last-used");
        try {
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
            Files.setLastModifiedTime(marker, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
        } catch (IOException e) {
            // Expiry then counts from the snapshot's creation; never fail a restore over this.
        }
    }

    /** When the snapshot was last restored, or created if never. */
    public Optional<java.time.Instant> lastUsed(String function, String version) {
        for (String name : new String[] {"last-used", "manifest.json"}) {
            Path p = directory(function, version).resolve(name);
            if (Files.exists(p)) {
                try {
                    return Optional.of(Files.getLastModifiedTime(p).toInstant());
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    public void delete(String function, String version) {
        fullyVerified.removeIf(k -> k.startsWith(function + "/" + version + "/"));
        parsed.remove(directory(function, version).resolve("manifest.json"));
        try {
            FileTrees.delete(directory(function, version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String key(Manifest m) {
        return m.functionName() + "/" + m.version() + "/" + m.createdAt();
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
