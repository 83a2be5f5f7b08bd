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
 * Loads the function's code: the task root's classes, then every {@code lib/*.jar} in name order. Its parent
 * is the system loader, and delegation is parent-first, so the function shares the runtime's
 * aws-lambda-java-core and org.crac classes (the Context it compiled against is the one the runtime
 * implements). Left unnamed so stack frames print as on AWS, without a loader prefix.
 */
final class FunctionClassLoader extends URLClassLoader {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private FunctionClassLoader(URL[] urls) {
        super(urls, ClassLoader.getSystemClassLoader());
    }

    static FunctionClassLoader of(Path taskRoot) throws IOException {
        List<URL> urls = new ArrayList<>();
        urls.add(directoryUrl(taskRoot));
        Path lib = taskRoot.resolve("lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> entries = Files.list(lib)) {
                entries.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                        .sorted()
                        .forEach(p -> urls.add(fileUrl(p)));
            }
        }
        return new FunctionClassLoader(urls.toArray(URL[]::new));
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
