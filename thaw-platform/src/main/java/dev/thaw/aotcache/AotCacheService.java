package dev.thaw.aotcache;

import dev.thaw.environments.AotCacheFiles;
import dev.thaw.environments.EnvironmentLauncher;
import dev.thaw.environments.LaunchMode;
import dev.thaw.environments.StartupFailure;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.VersionListener;
import dev.thaw.functions.VersionState;
import dev.thaw.io.FileTrees;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Trains a published version's AOT cache (Pending → Active or Failed) and deletes it with its version. */
public final class AotCacheService implements VersionListener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AotCacheService.class.getName());
    /** A training INIT may take as long as a SnapStart INIT: max(130 s, the function timeout). */
    private static final long MIN_TRAINING_LIMIT_MS = 130_000;

    private final FunctionService functions;
    private final EnvironmentLauncher launcher;
    private final Path aotRoot;
    private final Path codeRoot;
    private final ExecutorService trainer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("aot-trainer").factory());

    public AotCacheService(FunctionService functions, EnvironmentLauncher launcher, Path aotRoot, Path codeRoot) {
        this.functions = functions;
        this.launcher = launcher;
        this.aotRoot = aotRoot;
        this.codeRoot = codeRoot;
    }

    @Override
    public void versionPublished(FunctionVersion version) {
        if (version.usesAotCache()) {
            trainer.submit(() -> train(version));
        }
    }

    @Override
    public void versionRetired(FunctionVersion version) {
        if (!version.isLatest()) {
            deleteCache(AotCacheFiles.of(aotRoot, version));
        }
    }

    /** After a restart: trainings left Pending run again. */
    public void reconcile() {
        for (FunctionVersion v : functions.allStoredVersions()) {
            if (v.usesAotCache() && v.state().state() == VersionState.State.Pending) {
                versionPublished(v);
            }
        }
    }

    private void train(FunctionVersion version) {
        String name = version.functionName() + ":" + version.version();
        AotCacheFiles files = AotCacheFiles.of(aotRoot, version);
        long start = System.nanoTime();
        try {
            FileTrees.delete(files.directory());
            Files.createDirectories(files.directory());
            packClasses(codeRoot.resolve(version.code().sha256Hex()), files.classesJar());
            // The training JVM runs as the environment's root, its function's first host uid: it writes the cache.
            setOwner(files.directory(), launcher.firstHostUid(version));
            launcher.start(version, new LaunchMode.AotTraining(files,
                    Math.max(MIN_TRAINING_LIMIT_MS, version.config().timeout() * 1000L)));
            setOwner(files.directory(), 0);
            if (!files.trained()) {
                throw new IllegalStateException("the training run wrote no AOT cache");
            }
            setOwner(files.cache(), 0);
            long bytes = Files.size(files.cache());
            LOG.info(() -> String.format("AOT cache of %s: %.1f MB, trained in %.0f ms", name, bytes / 1e6,
                    (System.nanoTime() - start) / 1e6));
            functions.updateVersionState(version.functionName(), version.version(),
                    FunctionVersion.SnapshotStatus.Off, VersionState.active());
        } catch (StartupFailure f) {
            fail(version, "The AOT training INIT failed: " + f.getMessage(), "InitError");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "AOT training of " + name + " failed", e);
            fail(version, "The AOT cache could not be created: " + e.getMessage(), "InternalError");
        }
    }

    private void fail(FunctionVersion version, String reason, String code) {
        LOG.warning(() -> version.functionName() + ":" + version.version() + ": " + reason);
        deleteCache(AotCacheFiles.of(aotRoot, version));
        functions.updateVersionState(version.functionName(), version.version(), FunctionVersion.SnapshotStatus.Off,
                VersionState.failed(reason, code));
    }

    /** The task root's files except lib/, as one jar: the AOT cache refuses directories on the class path. */
    static void packClasses(Path taskRoot, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
             var paths = Files.walk(taskRoot)) {
            for (Path p : paths.filter(Files::isRegularFile).sorted().toList()) {
                String entry = taskRoot.relativize(p).toString().replace('\\', '/');
                if (entry.startsWith("lib/") || entry.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                zip.putNextEntry(new JarEntry(entry));
                Files.copy(p, zip);
                zip.closeEntry();
            }
        }
    }

    private static void setOwner(Path path, int uid) throws IOException {
        Files.setAttribute(path, "unix:uid", uid);
        Files.setAttribute(path, "unix:gid", uid);
    }

    /** Deletes a version's cache directory; the caller's state change must not fail because of it. */
    private static void deleteCache(AotCacheFiles files) {
        try {
            FileTrees.delete(files.directory());
        } catch (IOException e) {
            LOG.warning(() -> "cannot delete " + files.directory() + ": " + e);
        }
    }

    @Override
    public void close() {
        trainer.shutdownNow();
    }
}
