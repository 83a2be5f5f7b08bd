package dev.thaw.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * A dead man's switch: a small shell process in a session of its own, whose stdin is a pipe only this JVM writes
 * to. If the JVM dies, even by kill -9, the pipe closes, the guard's {@code read} returns nothing, and it runs its
 * cleanup. A clean shutdown {@linkplain #dismiss() dismisses} it first, so the cleanup never races a platform that
 * starts again on the same home.
 */
public final class DeathGuard {
    private static final Logger LOG = Logger.getLogger(DeathGuard.class.getName());
    private static final String DISMISSED = "dismissed";

    private final OutputStream pipe;

    private DeathGuard(OutputStream pipe) {
        this.pipe = pipe;
    }

    /**
     * Starts a guard that runs {@code cleanup} (POSIX shell, with {@code args} as $1...) when this JVM dies.
     * Without {@code setsid}, or if the guard cannot start, the platform runs unguarded and says so.
     */
    public static DeathGuard start(String name, String cleanup, List<String> args) {
        String script = "trap '' INT TERM HUP; read line; [ \"$line\" = " + DISMISSED + " ] && exit 0; " + cleanup
                + "\nexit 0";
        List<String> command = new ArrayList<>(List.of("setsid", "/bin/sh", "-c", script, name));
        command.addAll(args);
        try {
            Process guard = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return new DeathGuard(guard.getOutputStream());
        } catch (IOException e) {
            LOG.warning("cannot start " + name + "; what it would clean up after a crash stays until the next start: "
                    + e.getMessage());
            return new DeathGuard(OutputStream.nullOutputStream());
        }
    }

    /** The platform is stopping cleanly and cleans up itself: the guard exits without doing anything. */
    public void dismiss() {
        try (pipe) {
            pipe.write((DISMISSED + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException gone) {
            // the guard has exited already
        }
    }
}
