package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassPrimingTest {

    @TempDir
    Path taskRoot;

    @Test
    void primingLoadsAndLinksWithoutRunningStaticInitialisersAndCountsWhatCannotLoad() throws Exception {
        String property = "thaw.test.primed." + System.nanoTime();
        Path source = taskRoot.resolve("src/p/Primed.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package p; public class Primed { static { System.setProperty(\"" + property
                + "\", \"initialised\"); } public Primed(String s) {} }");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d",
                taskRoot.toString(), source.toString()));

        try (FunctionClassLoader loader = FunctionClassLoader.of(taskRoot)) {
            ClassPriming.Result result = ClassPriming.prime(List.of("p.Primed", "p.Gone", "java.util.BitSet"), loader);
            assertEquals(2, result.primed());
            assertEquals(1, result.unloadable());
            assertNull(System.getProperty(property), "priming ran the static initialiser");
            Class.forName("p.Primed", true, loader);
            assertEquals("initialised", System.getProperty(property), "the first use initialises, as without priming");
        } finally {
            System.clearProperty(property);
        }
    }
}
