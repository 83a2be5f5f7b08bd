package dev.thaw.cli;

import dev.thaw.functions.CodeStore;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The warm-invoke baseline: the hello handler called directly, in this JVM, from its own deployment package. What a
 * warm invoke costs beyond this is what the platform adds (HTTP, routing, the Runtime API round trip, logs).
 */
final class DirectCall {
    private DirectCall() {
    }

    /** Milliseconds per direct {@code handleRequest} call of hello, {@code runs} times after as many warm-ups. */
    static List<Double> helloLatencies(int runs) throws Exception {
        Path dir = Files.createTempDirectory("thaw-bench-direct-");
        // Extracted the way the platform extracts every package.
        CodeStore code = new CodeStore(dir);
        String sha = code.store(LocalPlatform.example("hello")).sha256Hex();
        try {
            Path taskRoot = code.taskRoot(sha);
            List<URL> path = new ArrayList<>();
            path.add(taskRoot.toUri().toURL());
            try (var jars = Files.list(taskRoot.resolve("lib"))) {
                for (Path jar : jars.toList()) {
                    path.add(jar.toUri().toURL());
                }
            }
            try (URLClassLoader loader = new URLClassLoader(path.toArray(URL[]::new), null)) {
                Class<?> contextType = loader.loadClass("com.amazonaws.services.lambda.runtime.Context");
                Class<?> loggerType = loader.loadClass("com.amazonaws.services.lambda.runtime.LambdaLogger");
                Object logger = Proxy.newProxyInstance(loader, new Class<?>[] {loggerType}, (p, m, a) -> null);
                Object context = Proxy.newProxyInstance(loader, new Class<?>[] {contextType},
                        (p, m, a) -> switch (m.getName()) {
                            case "getLogger" -> logger;
                            case "getAwsRequestId" -> "direct";
                            case "getRemainingTimeInMillis", "getMemoryLimitInMB" -> 0;
                            default -> null;
                        });
                Object handler = loader.loadClass("dev.thaw.examples.hello.Hello").getConstructor().newInstance();
                Method handle = handler.getClass().getMethod("handleRequest", Object.class, contextType);
                Map<String, Object> input = Map.of("name", "warm");
                for (int i = 0; i < runs; i++) {
                    handle.invoke(handler, input, context);
                }
                List<Double> latencies = new ArrayList<>(runs);
                for (int i = 0; i < runs; i++) {
                    long start = System.nanoTime();
                    handle.invoke(handler, input, context);
                    latencies.add((System.nanoTime() - start) / 1e6);
                }
                return latencies;
            }
        } finally {
            dev.thaw.io.FileTrees.delete(dir);
        }
    }
}
