package dev.thaw.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The names the function's class loader has been asked for, in first-asked order, kept for the platform's class
 * priming. Recording starts when {@link #arm()} is called (after INIT: what INIT loads, a snapshot's INIT loads
 * again) and stops at {@link #MAX_NAMES}. Names that cannot name a loadable class by themselves (hidden classes,
 * whose names hold a '/') are left out.
 */
final class LoadedClassLog {

    /** At most this many names per environment; the platform bounds its merged list the same way. */
    static final int MAX_NAMES = 20_000;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<String> unreported = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final int maxNames;
    private volatile boolean armed;

    LoadedClassLog() {
        this(MAX_NAMES);
    }

    LoadedClassLog(int maxNames) {
        this.maxNames = maxNames;
    }

    /** From now on, names are recorded. */
    void arm() {
        armed = true;
    }

    /** Called on every successful load through the function's loader; cheap once a name has been seen. */
    void record(String name) {
        if (!armed || seen.contains(name) || name.indexOf('/') >= 0 || count.get() >= maxNames) {
            return;
        }
        if (seen.add(name) && count.incrementAndGet() <= maxNames) {
            unreported.add(name);
        }
    }

    boolean hasUnreported() {
        return !unreported.isEmpty();
    }

    /** The names recorded since the last call, in the order they were first recorded. */
    List<String> takeUnreported() {
        List<String> names = new ArrayList<>();
        String name;
        while ((name = unreported.poll()) != null) {
            names.add(name);
        }
        return names;
    }
}
