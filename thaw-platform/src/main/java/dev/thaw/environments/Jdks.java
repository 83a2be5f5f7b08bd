package dev.thaw.environments;

import dev.thaw.errors.ThawException;
import dev.thaw.functions.Runtimes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Maps managed Java runtimes (java17, java21, java25) to JDK homes. Explicit configuration wins; otherwise the JDKs
 * installed under /usr/lib/jvm are used. A runtime whose JDK is absent is refused, never silently swapped for another
 * release.
 */
public final class Jdks {
    /** One installed JDK: its home, feature release and full runtime version (recorded in snapshots). */
    public record Jdk(Path home, int release, String fullVersion) {
        public Path java() {
            return home.resolve("bin/java");
        }
    }

    private final Map<Integer, Jdk> byRelease;

    private Jdks(Map<Integer, Jdk> byRelease) {
        this.byRelease = byRelease;
    }

    /** Discovers JDKs in {@code searchRoot}, then applies overrides such as {@code java21 -> /opt/jdk-21}. */
    public static Jdks discover(Path searchRoot, Map<String, Path> overrides) {
        Map<Integer, Jdk> found = new TreeMap<>();
        if (Files.isDirectory(searchRoot)) {
            try (var dirs = Files.list(searchRoot)) {
                dirs.sorted().forEach(home -> describe(home).ifPresent(j -> found.putIfAbsent(j.release(), j)));
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + searchRoot, e);
            }
        }
        overrides.forEach((runtime, home) -> {
            Jdk jdk = describe(home).orElseThrow(() -> new IllegalArgumentException(
                    "configured JDK for " + runtime + " at " + home + " has no readable 'release' file"));
            found.put(Runtimes.javaRelease(runtime), jdk);
        });
        return new Jdks(Map.copyOf(found));
    }

    public Optional<Jdk> forRuntime(String runtime) {
        if (!Runtimes.JAVA.contains(runtime)) {
            return Optional.empty();
        }
        return Optional.ofNullable(byRelease.get(Runtimes.javaRelease(runtime)));
    }

    public Jdk require(String runtime) {
        return forRuntime(runtime).orElseThrow(() -> ThawException.invalidParameter("Runtime " + runtime
                + " is not available on this host: no JDK " + Runtimes.javaRelease(runtime) + " was found under "
                + "/usr/lib/jvm and none is configured (set THAW_JDK_" + runtime.toUpperCase() + "). Installed: "
                + describeInstalled()));
    }

    /** The home directories of every JDK found or configured. */
    public java.util.List<Path> homes() {
        return byRelease.values().stream().map(Jdk::home).toList();
    }

    public String describeInstalled() {
        StringBuilder sb = new StringBuilder();
        byRelease.values().forEach(j -> sb.append(sb.isEmpty() ? "" : ", ").append("java").append(j.release())
                .append(" (").append(j.home()).append(')'));
        return sb.isEmpty() ? "none" : sb.toString();
    }

    private static Optional<Jdk> describe(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin/java"))) {
            return Optional.empty();
        }
        try (var in = Files.newBufferedReader(release)) {
            Properties p = new Properties();
            p.load(in);
            String version = unquote(p.getProperty("JAVA_VERSION", ""));
            String full = unquote(p.getProperty("JAVA_RUNTIME_VERSION", version));
            int feature = Integer.parseInt(version.split("[.+-]")[0]);
            return Optional.of(new Jdk(home.toRealPath(), feature, full));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String unquote(String s) {
        return s.replace("\"", "").trim();
    }
}
