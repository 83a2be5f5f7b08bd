package dev.thaw.snapshots;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.io.FileTrees;
import dev.thaw.objects.HostCache;
import dev.thaw.objects.ObjectStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Snapshots in the object store: after a dump, every file of the version's snapshot directory is uploaded under
 * {@code snapshots/<function>/<version>/}, the manifest last, so a manifest in the store means its images are
 * there; a host about to restore a snapshot it lacks downloads them. The files are opaque bytes here. A download
 * is trusted for nothing: its manifest is re-stamped with the local files' inodes and mtimes (sizes and SHA-256s
 * stay the uploader's), and the first restore decrypts and authenticates every byte (AES-GCM, see
 * {@link SnapshotStore#plainImages}), so a tampered or truncated object leads to INIT and re-creation like any
 * corrupted image.
 *
 * <p>With a shared store, this host's snapshot directories are a cache bounded by {@code --cache-size}: the least
 * recently used go first, never one a restore is using, and are fetched again when next needed.
 */
final class SharedSnapshots {
    private static final Logger LOG = Logger.getLogger(SharedSnapshots.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String MANIFEST = "manifest.json";
    /** Files beside the images that are this host's own: when it last restored the snapshot, a manifest in writing. */
    private static final List<String> LOCAL_ONLY = List.of("last-used", "manifest.json.tmp");

    private final ObjectStore objects;
    private final SnapshotStore store;
    private final HostCache cache;
    private final Path root;
    private final Map<String, Object> fetching = new ConcurrentHashMap<>();

    SharedSnapshots(ObjectStore objects, SnapshotStore store, Path root, long cacheBytes) {
        this.objects = objects;
        this.root = root;
        this.store = store;
        this.cache = new HostCache(cacheBytes, this::evict);
        if (objects.shared()) {
            admitExisting();
        }
    }

    private static String name(String function, String version) {
        return function + "/" + version;
    }

    private static String prefix(String function, String version) {
        return "snapshots/" + function + "/" + version + "/";
    }

    private static String prefix(String function, String version, String fingerprint) {
        return prefix(function, version) + fingerprint + "/";
    }

    private void evict(String name) {
        String[] parts = name.split("/", 2);
        LOG.info(() -> "evicting the snapshot of " + parts[0] + ":" + parts[1] + " from this host's cache; it stays "
                + "in the object store");
        store.delete(parts[0], parts[1]);
    }

    /** The snapshots already on this host, oldest use first, so that the cache's order survives a restart. */
    private void admitExisting() {
        record Found(String function, String version, long lastUsed, long bytes) {
        }
        List<Found> found = new ArrayList<>();
        try (var functions = Files.list(root)) {
            for (Path f : functions.filter(Files::isDirectory).toList()) {
                try (var versions = Files.list(f)) {
                    for (Path v : versions.filter(p -> Files.isRegularFile(p.resolve(MANIFEST))).toList()) {
                        String fn = f.getFileName().toString();
                        String ver = v.getFileName().toString();
                        long used = store.lastUsed(fn, ver).map(java.time.Instant::toEpochMilli).orElse(0L);
                        found.add(new Found(fn, ver, used, size(v)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        found.sort(Comparator.comparingLong(Found::lastUsed));
        for (Found f : found) {
            cache.admit(name(f.function(), f.version()), f.bytes());
        }
    }

    /** Uploads a snapshot just sealed on this host: its files first, the manifest last. */
    void publish(String function, String version, String fingerprint) throws IOException {
        if (!objects.shared()) {
            return;
        }
        long start = System.nanoTime();
        Path dir = store.directory(function, version);
        List<Path> files;
        try (var walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !LOCAL_ONLY.contains(dir.relativize(p).toString())).sorted().toList();
        }
        String prefix = prefix(function, version, fingerprint);
        // A snapshot re-created here replaces the old one: its manifest goes first, so no host fetches a mixture.
        objects.delete(prefix + MANIFEST);
        long bytes = 0;
        List<Path> images = new ArrayList<>();
        for (Path f : files) {
            if (!f.getFileName().toString().equals(MANIFEST)) {
                images.add(f);
                bytes += Files.size(f);
            }
        }
        concurrently(images, f -> objects.put(prefix + dir.relativize(f), f));
        objects.put(prefix + MANIFEST, dir.resolve(MANIFEST));
        cache.admit(name(function, version), size(dir));
        long total = bytes;
        LOG.info(() -> String.format("uploaded the snapshot of %s:%s for fingerprint %s (%d MB) to the object store "
                + "in %d ms", function, version, fingerprint, total >> 20, (System.nanoTime() - start) / 1_000_000));
    }

    /**
     * Makes a snapshot available for a restore: downloaded if this host lacks it and the store has it, and held in
     * the cache until the returned use is closed. Without a shared store, or when the store has no such snapshot,
     * nothing is fetched and the restore finds what the home holds.
     */
    HostCache.Use fetch(String function, String version, String fingerprint) throws IOException {
        if (!objects.shared()) {
            return () -> { };
        }
        HostCache.Use use = cache.use(name(function, version));
        try {
            synchronized (fetching.computeIfAbsent(name(function, version), k -> new Object())) {
                boolean ownFingerprint = store.manifest(function, version)
                        .filter(m -> m.host().id().equals(fingerprint)).isPresent();
                if (!ownFingerprint) {
                    download(function, version, fingerprint);
                }
            }
            return use;
        } catch (IOException | RuntimeException e) {
            use.close();
            throw e;
        }
    }

    /** True when the object store holds a whole snapshot of the version taken under {@code fingerprint}. */
    boolean has(String function, String version, String fingerprint) {
        return objects.shared() && objects.list(prefix(function, version, fingerprint))
                .contains(prefix(function, version, fingerprint) + MANIFEST);
    }

    /** The manifests of every snapshot of the version in the object store, one per host fingerprint. */
    List<Manifest> sharedManifests(String function, String version) throws IOException {
        if (!objects.shared()) {
            return List.of();
        }
        String prefix = prefix(function, version);
        List<Manifest> found = new ArrayList<>();
        for (String key : objects.list(prefix)) {
            String rest = key.substring(prefix.length());
            if (!rest.endsWith("/" + MANIFEST) || rest.indexOf('/') != rest.length() - MANIFEST.length() - 1) {
                continue;
            }
            Files.createDirectories(root);
            Path copy = Files.createTempFile(root, ".shared-manifest-", ".json");
            try {
                if (objects.get(key, copy)) {
                    found.add(JSON.readValue(copy.toFile(), Manifest.class));
                }
            } finally {
                Files.deleteIfExists(copy);
            }
        }
        return found;
    }

    private void download(String function, String version, String fingerprint) throws IOException {
        long start = System.nanoTime();
        String prefix = prefix(function, version, fingerprint);
        List<String> keys = objects.list(prefix);
        if (!keys.contains(prefix + MANIFEST)) {
            return;
        }
        Path dir = store.directory(function, version);
        Files.createDirectories(dir.getParent());
        Path staging = dir.resolveSibling(".fetch-" + version + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging);
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwx------"));
            List<String> files = new ArrayList<>();
            for (String key : keys) {
                String relative = key.substring(prefix.length());
                // Some servers list a folder of keys as a key of its own (S3Proxy's filesystem backend does).
                boolean folder = relative.isEmpty() || relative.endsWith("/")
                        || keys.stream().anyMatch(k -> k.startsWith(key + "/"));
                if (relative.equals(MANIFEST) || folder || LOCAL_ONLY.contains(relative)) {
                    continue;
                }
                Path target = staging.resolve(relative).normalize();
                if (!target.startsWith(staging)) {
                    throw new IOException("object " + key + " names a file outside the snapshot");
                }
                Files.createDirectories(target.getParent());
                files.add(key);
            }
            concurrently(files, key -> {
                if (!objects.get(key, staging.resolve(key.substring(prefix.length())))) {
                    throw new dev.thaw.objects.ObjectStoreException("object " + key + " disappeared", null);
                }
            });
            long bytes = 0;
            for (String key : files) {
                bytes += Files.size(staging.resolve(key.substring(prefix.length())));
            }
            Path manifest = staging.resolve(MANIFEST + ".fetched");
            if (!objects.get(prefix + MANIFEST, manifest)) {
                return;
            }
            restamp(manifest, staging);
            // Whatever this host had (a partial copy, a verdict from an earlier copy) goes before the new copy.
            store.delete(function, version);
            Files.move(manifest, staging.resolve(MANIFEST));
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            cache.admit(name(function, version), size(dir));
            long total = bytes;
            LOG.info(() -> String.format("fetched the snapshot of %s:%s for fingerprint %s (%d MB) from the object "
                    + "store in %d ms", function, version, fingerprint, total >> 20,
                    (System.nanoTime() - start) / 1_000_000));
        } finally {
            FileTrees.delete(staging);
        }
    }

    /**
     * Gives each image file of a downloaded manifest this host's inode and mtime, so the cheap check before every
     * restore holds for the local copy; the sizes and SHA-256s the uploader recorded are kept as they are.
     */
    private static void restamp(Path manifest, Path dir) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(manifest.toFile());
        for (JsonNode file : root.path("files")) {
            Path local = dir.resolve("images").resolve(file.path("name").asText()).normalize();
            if (!local.startsWith(dir) || !Files.isRegularFile(local)) {
                continue;
            }
            Map<String, Object> a = Files.readAttributes(local, "unix:lastModifiedTime,ino");
            ((ObjectNode) file).put("mtimeMillis", ((FileTime) a.get("lastModifiedTime")).toMillis());
            ((ObjectNode) file).put("inode", ((Number) a.get("ino")).longValue());
        }
        JSON.writeValue(manifest.toFile(), root);
    }

    /** Deletes a version's snapshots of every fingerprint from the object store; this host's copy is the caller's. */
    void delete(String function, String version) {
        if (objects.shared()) {
            cache.forget(name(function, version));
            objects.delete(prefix(function, version));
        }
    }

    /** Runs one transfer per item at once (the client bounds its connections); the first failure is thrown. */
    private static <T> void concurrently(List<T> items, java.util.function.Consumer<T> transfer) throws IOException {
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (T item : items) {
                running.add(threads.submit(() -> transfer.accept(item)));
            }
            for (java.util.concurrent.Future<?> f : running) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while moving snapshot files", e);
        }
    }

    private static long size(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            long total = 0;
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
