package dev.thaw.snapshots;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.thaw.io.FileTrees;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.crypto.SecretKey;

/**
 * Snapshots on disk: {@code snapshots/<function>/<version>/images/} plus {@code manifest.json}, readable by root only.
 * Every image file on disk is sealed ({@link SealedFile}: AES-256-GCM under a fresh data key per snapshot, wrapped by
 * the {@link MasterKey}); plain images exist only in {@link PlainImages}, in memory. CRIU dumps there, the files are
 * sealed into the home and the dump stays as this host's plain copy; another run or host decrypts and authenticates
 * the sealed images into a plain copy at its first restore. A snapshot counts as present only once its manifest is
 * written, and the manifest is written last, so a crash mid-dump leaves nothing restorable. A cheap check (sizes,
 * mtimes, inodes) runs before every restore.
 */
public final class SnapshotStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotStore.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;
    private final MasterKey key;
    private final PlainImages plain;
    private final int chunkBytes;
    private final Map<Path, ParsedManifest> parsed = new ConcurrentHashMap<>();
    private final Map<String, Object> decrypting = new ConcurrentHashMap<>();

    public SnapshotStore(Path root, MasterKey key, PlainImages plain) {
        this(root, key, plain, SealedFile.DEFAULT_CHUNK_BYTES);
    }

    SnapshotStore(Path root, MasterKey key, PlainImages plain, int chunkBytes) {
        this.root = root;
        this.key = key;
        this.plain = plain;
        this.chunkBytes = chunkBytes;
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

    /** The sealed image files. */
    public Path images(String function, String version) {
        return directory(function, version).resolve("images");
    }

    /**
     * Removes any previous snapshot of the version and returns an empty directory in memory for a new dump, with
     * room made for about {@code expectedBytes}.
     */
    public Path prepare(String function, String version, long expectedBytes) throws IOException, PlainImages.NoRoom {
        delete(function, version);
        Path dir = directory(function, version);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return plain.staging(function + "-" + version, expectedBytes);
    }

    /**
     * Seals the dumped images into the home and writes the manifest; from then on the snapshot exists, and the
     * dump directory is this host's plain copy of it.
     */
    public Manifest seal(Manifest draft, Path dump) throws IOException {
        Path images = images(draft.functionName(), draft.version());
        FileTrees.delete(images);
        Files.createDirectories(images);
        SecretKey dataKey = MasterKey.newDataKey();
        List<Manifest.ImageFile> files = new ArrayList<>();
        long total = 0;
        try (var list = Files.list(dump)) {
            for (Path f : list.sorted().toList()) {
                String name = f.getFileName().toString();
                Path sealed = images.resolve(name);
                MessageDigest sha = sha256Digest();
                long plainSize = SealedFile.seal(f, new DigestOutputStream(Files.newOutputStream(sealed,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), sha), name, dataKey, chunkBytes);
                FileStamp a = FileStamp.read(sealed);
                files.add(new Manifest.ImageFile(name, a.size(), a.mtimeMillis(), a.inode(),
                        HexFormat.of().formatHex(sha.digest()), plainSize));
                total += plainSize;
            }
        }
        Manifest unsealed = new Manifest(Manifest.FORMAT_VERSION, draft.functionName(), draft.version(),
                draft.environmentKey(), draft.createdAt(), draft.host(), draft.stdio(), files, total,
                draft.rssBytesAtDump(), draft.initMillis(), draft.dumpMillis(), draft.warnings(), null);
        Manifest sealed = new Manifest(unsealed.formatVersion(), unsealed.functionName(), unsealed.version(),
                unsealed.environmentKey(), unsealed.createdAt(), unsealed.host(), unsealed.stdio(), files, total,
                unsealed.rssBytesAtDump(), unsealed.initMillis(), unsealed.dumpMillis(), unsealed.warnings(),
                new Manifest.Sealing(Manifest.Sealing.ALGORITHM, chunkBytes, key.id(), key.wrap(dataKey),
                        MasterKey.tag(dataKey, tagSubject(unsealed))));
        Path dir = directory(draft.functionName(), draft.version());
        Path tmp = dir.resolve("manifest.json.tmp");
        JSON.writeValue(tmp.toFile(), sealed);
        Files.move(tmp, dir.resolve("manifest.json"), StandardCopyOption.ATOMIC_MOVE);
        plain.adopt(key(sealed), dump, total);
        return sealed;
    }

    /** Deletes a dump directory that never became a snapshot. */
    void discardDump(Path dump) {
        try {
            FileTrees.delete(dump);
        } catch (IOException e) {
            LOG.warning("cannot delete the dump " + dump + ": " + e.getMessage());
        }
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
     * The cheap check before every restore: the sealed images still have the sizes, mtimes and inodes the manifest
     * recorded. Returns the problem, or empty. Their content is authenticated when they are decrypted
     * ({@link #plainImages}).
     */
    public Optional<String> verify(Manifest m) {
        if (m.sealing() == null) {
            return Optional.of("the snapshot is not encrypted");
        }
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
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot read the images: " + e.getMessage());
        }
    }

    /**
     * A hold on the snapshot's plain images in memory, for CRIU to restore from. The first call on this host (in
     * this platform run) unwraps the data key, checks the manifest's tag, and decrypts and authenticates every
     * image file; a failure there means the snapshot must never be restored.
     */
    PlainImages.Lease plainImages(Manifest m) throws SealedFile.Broken, PlainImages.NoRoom, IOException {
        String key = key(m);
        Optional<PlainImages.Lease> ready = plain.lease(key);
        if (ready.isPresent()) {
            return ready.get();
        }
        synchronized (decrypting.computeIfAbsent(key, k -> new Object())) {
            try {
                ready = plain.lease(key);
                if (ready.isPresent()) {
                    return ready.get();
                }
                Manifest.Sealing sealing = m.sealing();
                SecretKey dataKey = this.key.unwrap(sealing.keyId(), sealing.wrappedDataKey());
                String expected = MasterKey.tag(dataKey, tagSubject(m));
                if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                        sealing.tag().getBytes(StandardCharsets.US_ASCII))) {
                    throw new SealedFile.Broken("the manifest's list of image files fails authentication");
                }
                Path images = images(m.functionName(), m.version());
                long start = System.nanoTime();
                PlainImages.Lease lease = plain.fill(key, m.imageBytes(), dir -> {
                    for (Manifest.ImageFile f : m.files()) {
                        long size = SealedFile.open(images.resolve(f.name()), dir.resolve(f.name()), f.name(),
                                dataKey);
                        if (size != f.plainSize()) {
                            throw new SealedFile.Broken(f.name() + " holds " + size + " bytes, not "
                                    + f.plainSize());
                        }
                    }
                });
                LOG.info(() -> String.format(Locale.ROOT, "decrypted the snapshot of %s:%s (%.1f MB) in %.0f ms",
                        m.functionName(), m.version(), m.imageBytes() / 1048576.0,
                        (System.nanoTime() - start) / 1e6));
                return lease;
            } finally {
                decrypting.remove(key);
            }
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
        plain.drop(function + "/" + version + "/");
        parsed.remove(directory(function, version).resolve("manifest.json"));
        try {
            FileTrees.delete(directory(function, version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes every snapshot on disk that is not sealed in the current format: those of an earlier release hold
     * plain images, which must not stay at rest. Their versions re-create them at their next invoke. Returns what
     * was deleted, as {@code function/version}.
     */
    public List<String> removeUnsealed() {
        List<String> removed = new ArrayList<>();
        try (var functions = Files.list(root)) {
            for (Path function : functions.filter(Files::isDirectory).toList()) {
                try (var versions = Files.list(function)) {
                    for (Path version : versions.filter(Files::isDirectory).toList()) {
                        if (!isSealed(version.resolve("manifest.json"))) {
                            FileTrees.delete(version);
                            removed.add(function.getFileName() + "/" + version.getFileName());
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.warning("cannot look for unencrypted snapshots under " + root + ": " + e.getMessage());
        }
        return removed;
    }

    private static boolean isSealed(Path manifest) {
        try {
            JsonNode m = JSON.readTree(manifest.toFile());
            return m.path("formatVersion").asInt() == Manifest.FORMAT_VERSION && m.path("sealing").isObject();
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes every plain copy in memory. */
    @Override
    public void close() {
        plain.close();
    }

    private static String key(Manifest m) {
        return m.functionName() + "/" + m.version() + "/" + m.createdAt();
    }

    /** What the manifest's tag authenticates: the snapshot's identity and the name and plain size of each file. */
    private static String tagSubject(Manifest m) {
        StringBuilder s = new StringBuilder().append(m.functionName()).append('\0').append(m.version()).append('\0')
                .append(m.environmentKey()).append('\0').append(m.createdAt()).append('\0')
                .append(m.stdio()).append('\0').append(m.imageBytes());
        for (Manifest.ImageFile f : m.files()) {
            s.append('\0').append(f.name()).append('\0').append(f.plainSize());
        }
        return s.toString();
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256Digest())) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        }
    }
}
