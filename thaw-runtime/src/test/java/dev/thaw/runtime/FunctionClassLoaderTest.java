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
    void layerJarsComeAfterTheFunctionsOwnInNameOrderThenTheLayerClassDirectory(@TempDir Path opt) throws IOException {
        Files.createDirectories(taskRoot.resolve("lib"));
        new JarOutputStream(Files.newOutputStream(taskRoot.resolve("lib/own.jar"))).close();
        Path layerLib = opt.resolve("java/lib");
        Files.createDirectories(layerLib);
        for (String name : List.of("z.jar", "greeting.jar")) {
            new JarOutputStream(Files.newOutputStream(layerLib.resolve(name))).close();
        }

        try (FunctionClassLoader loader = FunctionClassLoader.of(taskRoot, layerLib, null)) {
            List<String> urls = List.of(loader.getURLs()).stream().map(URL::getPath).toList();
            assertEquals(List.of(taskRoot.toAbsolutePath() + "/",
                    taskRoot.resolve("lib/own.jar").toAbsolutePath().toString(),
                    layerLib.resolve("greeting.jar").toAbsolutePath().toString(),
                    layerLib.resolve("z.jar").toAbsolutePath().toString(),
                    layerLib.toAbsolutePath() + "/"), urls);
        }
    }

    @Test
    void withoutLayersNothingIsAddedForOpt(@TempDir Path opt) throws IOException {
        try (FunctionClassLoader loader = FunctionClassLoader.of(taskRoot, opt.resolve("java/lib"), null)) {
            assertEquals(List.of(taskRoot.toAbsolutePath() + "/"),
                    List.of(loader.getURLs()).stream().map(URL::getPath).toList());
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
