package dev.thaw.environments;

import dev.thaw.functions.FunctionVersion;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a version's JDK AOT cache lives: {@code <home>/aot/<function>/<version>/}, holding {@code classes.jar} (the
 * task root's classes, since the cache refuses directories on the class path) and {@code app.aot}. Environments see
 * the directory at {@value #MOUNT_POINT}: writable for the training run, read-only afterwards.
 */
public record AotCacheFiles(Path directory) {
    public static final String MOUNT_POINT = "/var/aot";
    static final String CLASSES_JAR = "classes.jar";
    static final String CACHE = "app.aot";

    public static AotCacheFiles of(Path aotRoot, FunctionVersion version) {
        return new AotCacheFiles(aotRoot.resolve(version.functionName()).resolve(version.version()));
    }

    public Path classesJar() {
        return directory.resolve(CLASSES_JAR);
    }

    public Path cache() {
        return directory.resolve(CACHE);
    }

    /** Whether a training run left a cache to start with. */
    public boolean trained() {
        return Files.isRegularFile(cache());
    }
}
