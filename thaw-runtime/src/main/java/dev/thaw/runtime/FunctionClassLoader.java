package dev.thaw.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads the function's code: the task root's classes, then every {@code lib/*.jar} in name order, then its layers'
 * {@code /opt/java/lib/*.jar} in name order and {@code /opt/java/lib}'s classes (Lambda's Java layer path). Its parent
 * is the system loader, and delegation is parent-first, so the function shares the runtime's
 * aws-lambda-java-core and org.crac classes (the Context it compiled against is the one the runtime
 * implements). Left unnamed so stack frames print as on AWS, without a loader prefix. In a {@code $LATEST}
 * environment it records the names it loads into a {@link LoadedClassLog}, for class priming.
 */
final class FunctionClassLoader extends URLClassLoader {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    /** Null when this environment does not record what it loads. */
    private final LoadedClassLog log;

    private FunctionClassLoader(URL[] urls, LoadedClassLog log) {
        super(urls, ClassLoader.getSystemClassLoader());
        this.log = log;
    }

    /** Where layers put Java libraries, as on Lambda. */
    static final Path LAYER_LIB = Path.of("/opt/java/lib");

    static FunctionClassLoader of(Path taskRoot) throws IOException {
        return of(taskRoot, LAYER_LIB, null);
    }

    /** A loader that records every name it loads into {@code log} (null: none). */
    static FunctionClassLoader of(Path taskRoot, LoadedClassLog log) throws IOException {
        return of(taskRoot, LAYER_LIB, log);
    }

    /**
     * Every class the function's code resolves, its own and the JDK's it names directly, is asked of this loader
     * once (the JVM remembers the answer), so recording here sees what the function loads at the cost of a set
     * lookup per class.
     */
    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        Class<?> c = super.loadClass(name, resolve);
        if (log != null) {
            log.record(name);
        }
        return c;
    }

    /** With the layers' libraries looked for in {@code layerLib}. */
    static FunctionClassLoader of(Path taskRoot, Path layerLib, LoadedClassLog log) throws IOException {
        List<URL> urls = new ArrayList<>();
        urls.add(directoryUrl(taskRoot));
        addJars(taskRoot.resolve("lib"), urls);
        if (Files.isDirectory(layerLib)) {
            addJars(layerLib, urls);
            urls.add(directoryUrl(layerLib));
        }
        return new FunctionClassLoader(urls.toArray(URL[]::new), log);
    }

    private static void addJars(Path dir, List<URL> urls) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                entries.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                        .sorted()
                        .forEach(p -> urls.add(fileUrl(p)));
            }
        }
    }

    /** URLClassLoader treats a URL as a directory only when it ends with '/', even if the directory is missing. */
    private static URL directoryUrl(Path dir) throws MalformedURLException {
        String uri = dir.toAbsolutePath().toUri().toString();
        return new URL(uri.endsWith("/") ? uri : uri + "/");
    }

    private static URL fileUrl(Path file) {
        try {
            return file.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }
}
