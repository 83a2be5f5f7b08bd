package dev.thaw.objects;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host's bounded cache of what it fetched from the object store: entries by name with their size on disk, kept
 * in order of last use. When the total passes the capacity, the least recently used entries are evicted (the
 * {@code evictor} deletes their files) until it fits again, skipping any entry in use: an entry held through
 * {@link #use} is never evicted until released, nor the entry just admitted (the cache runs over its capacity
 * rather than delete what was just fetched or made).
 */
public final class HostCache {
    private static final Logger LOG = Logger.getLogger(HostCache.class.getName());

    private final long capacityBytes;
    private final Consumer<String> evictor;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long totalBytes;

    private static final class Entry {
        long bytes;
        int users;

        Entry(long bytes) {
            this.bytes = bytes;
        }
    }

    /** A use of an entry; it may be evicted again once every use is closed. */
    public interface Use extends AutoCloseable {
        @Override
        void close();
    }

    public HostCache(long capacityBytes, Consumer<String> evictor) {
        this.capacityBytes = capacityBytes;
        this.evictor = evictor;
    }

    /** Adds (or resizes) an entry as the most recently used, then evicts what no longer fits. */
    public synchronized void admit(String name, long bytes) {
        Entry e = entries.get(name);
        if (e == null) {
            entries.put(name, new Entry(bytes));
        } else {
            totalBytes -= e.bytes;
            e.bytes = bytes;
        }
        totalBytes += bytes;
        evictOverCapacity(name);
    }

    /** Marks an entry as used now and holds it until the returned use is closed; unknown names are held too. */
    public synchronized Use use(String name) {
        Entry e = entries.computeIfAbsent(name, n -> new Entry(0));
        e.users++;
        return () -> release(name);
    }

    private synchronized void release(String name) {
        // Looked up without get(), which would count the release as a use: the use began when it was taken.
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (e.getKey().equals(name) && e.getValue().users > 0) {
                e.getValue().users--;
            }
        }
        evictOverCapacity(null);
    }

    /** Drops an entry whose files were deleted by their owner. */
    public synchronized void forget(String name) {
        Entry e = entries.remove(name);
        if (e != null) {
            totalBytes -= e.bytes;
        }
    }

    public synchronized long totalBytes() {
        return totalBytes;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    private void evictOverCapacity(String keep) {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (totalBytes > capacityBytes && it.hasNext()) {
            Map.Entry<String, Entry> next = it.next();
            if (next.getValue().users > 0 || next.getKey().equals(keep)) {
                continue;
            }
            it.remove();
            totalBytes -= next.getValue().bytes;
            try {
                evictor.accept(next.getKey());
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "cannot evict " + next.getKey() + " from the host cache", ex);
            }
        }
    }
}
