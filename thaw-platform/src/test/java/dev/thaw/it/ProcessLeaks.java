package dev.thaw.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The leak check the tests share: which of the processes a test saw are still running once it should be over. */
final class ProcessLeaks {
    private ProcessLeaks() {
    }

    /**
     * Those of {@code processes} still running after up to 5 s. A SIGKILLed process may take a few milliseconds to
     * go; a zombie (state Z) runs nothing and is not a leak, although ProcessHandle counts it as alive.
     */
    static List<Long> survivors(Collection<ProcessHandle> processes) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<Long> running;
        do {
            running = processes.stream().filter(h -> h.isAlive() && runsCode(h.pid())).map(ProcessHandle::pid)
                    .toList();
            if (running.isEmpty()) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        return running;
    }

    private static boolean runsCode(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }
}
