package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.amazonaws.services.lambda.runtime.Context;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionClassLoaderTest {

    @TempDir
    Path taskRoot;

    @Test
    void theTaskRootComesFirstThenLibJarsInNameOrder() throws IOException {
        Files.createDirectories(taskRoot.resolve("lib"));
        for (String name : List.of("b.jar", "a.jar", "c.jar")) {
            new JarOutputStream(Files.newOutputStream(taskRoot.resolve("lib").resolve(name))).close();
        }
        Files.writeString(taskRoot.resolve("lib/readme.txt"), "not a jar");

        try (FunctionClassLoader loader = FunctionClassLoader.of(taskRoot)) {
            List<String> urls = List.of(loader.getURLs()).stream().map(URL::getPath).toList();
            assertEquals(List.of(taskRoot.toAbsolutePath() + "/", taskRoot.resolve("lib/a.jar").toAbsolutePath().toString(),
                    taskRoot.resolve("lib/b.jar").toAbsolutePath().toString(),
                    taskRoot.resolve("lib/c.jar").toAbsolutePath().toString()), urls);
        }
    }

    @Test
    void theFunctionSharesTheRuntimesLambdaApiClasses() throws Exception {
        try (FunctionClassLoader loader = FunctionClassLoader.of(taskRoot)) {
            assertSame(Context.class, loader.loadClass(Context.class.getName()));
            assertSame(org.crac.Core.class, loader.loadClass("org.crac.Core"));
        }
    }
}
