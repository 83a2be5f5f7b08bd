package dev.thaw.functions;

import dev.thaw.errors.ThawException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;

/**
 * Checks at deploy time that a package can serve its handler, so a typo fails CreateFunction with a clear 400
 * instead of every invoke with Runtime.ClassNotFound.
 */
final class HandlerCheck {
    private HandlerCheck() {
    }

    static void check(Path taskRoot, String runtime, String handler) {
        if (Runtimes.isCustom(runtime)) {
            if (!Files.isRegularFile(taskRoot.resolve("bootstrap"))) {
                throw ThawException.invalidParameter("Runtime " + runtime
                        + " needs an executable file named 'bootstrap' at the root of the package.");
            }
            return;
        }
        String className = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
        if (className.isBlank() || !className.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
            throw ThawException.invalidParameter("Handler '" + handler
                    + "' is not of the form package.Class or package.Class::method.");
        }
        String classFile = className.replace('.', '/') + ".class";
        if (Files.isRegularFile(taskRoot.resolve(classFile)) || inLibJars(taskRoot.resolve("lib"), classFile)) {
            return;
        }
        throw ThawException.invalidParameter("Handler class " + className
                + " was not found in the package (looked for " + classFile + " at its root and in lib/*.jar).");
    }

    private static boolean inLibJars(Path lib, String classFile) {
        if (!Files.isDirectory(lib)) {
            return false;
        }
        try (var jars = Files.list(lib)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                try (ZipFile zf = new ZipFile(jar.toFile())) {
                    if (zf.getEntry(classFile) != null) {
                        return true;
                    }
                } catch (IOException e) {
                    throw ThawException.invalidParameter("lib/" + jar.getFileName() + " is not a valid jar.");
                }
            }
        } catch (IOException e) {
            throw ThawException.service("cannot read package", e);
        }
        return false;
    }
}
