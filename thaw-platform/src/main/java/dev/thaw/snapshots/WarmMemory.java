package dev.thaw.snapshots;

import dev.thaw.io.HostMemory;
import dev.thaw.io.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Memory the host already backs, held for restores and handed to each one just before CRIU fills its copy's pages.
 *
 * <p>On a virtual machine whose balloon device reports free pages, the host takes back guest memory that has stayed
 * free for a moment, and the next process to touch it waits while the host backs and clears it again. A restore
 * touches tens of megabytes of fresh 2 MB pages at once, so it would pay that wait on its path. This reserve keeps
 * touched huge pages mapped in the platform's process (memory in use is never taken back) and unmaps as much as a
 * restore will fill right before the restore starts: the kernel gives the pages just freed to the next allocations,
 * the copy's. The reserve fills again on its own thread once restores have paused, so a refill never takes the
 * cores from a burst. Its size follows the bursts it sees ({@link ReserveSize}), and a refill stops short of the
 * last quarter of the host's memory.
 */
final class WarmMemory implements AutoCloseable {
    /** What the reserve maps at a time. */
    static final long SEGMENT_BYTES = 8L << 20;
    private static final long HUGE_PAGE = 2L << 20;
    private static final long PAGE = 4096;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP = Libc.function("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MADVISE = Libc.function("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle MUNMAP = Libc.function("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private final ReserveSize size;
    private final long quietNanos;
    /** A refill stops where the host's available memory would fall below this. */
    private final long floorBytes = HostMemory.totalBytes().orElse(0) / 4;
    /** Mapped, touched ranges, each aligned to and a multiple of a huge page; released from the end. */
    private final Deque<MemorySegment> held = new ArrayDeque<>();
    private final ScheduledExecutorService filler;
    private long heldBytes;
    private long lastRelease = System.nanoTime();
    private boolean fillScheduled;
    private boolean shrinkScheduled;
    private boolean closed;

    /** Holds {@code bytes}, filled again once no restore has taken any for {@code quiet}. */
    WarmMemory(long bytes, Duration quiet) {
        this(bytes, bytes, quiet, Duration.ZERO);
    }

    /**
     * Holds {@code baseBytes}, or up to {@code ceilingBytes} for {@code hold} after a burst of restores asked for more
     * (rounded up to whole segments; both 0 hold nothing), filled again once no restore has taken any for
     * {@code quiet}.
     */
    WarmMemory(long baseBytes, long ceilingBytes, Duration quiet, Duration hold) {
        this.size = new ReserveSize(segments(baseBytes), segments(ceilingBytes), hold.toNanos());
        this.quietNanos = quiet.toNanos();
        this.filler = Math.max(baseBytes, ceilingBytes) == 0 ? null : Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("warm-memory").factory());
        if (filler != null) {
            synchronized (this) {
                scheduleFill(0);
            }
        }
    }

    /** A reserve that holds nothing: for hosts that never take memory back. */
    static WarmMemory none() {
        return new WarmMemory(0, Duration.ZERO);
    }

    private static long segments(long bytes) {
        return (bytes + SEGMENT_BYTES - 1) / SEGMENT_BYTES * SEGMENT_BYTES;
    }

    /** A restore starts, or waits for its turn: restores that overlap make a burst, whose demand sizes the reserve. */
    synchronized void restoreStarted() {
        size.started();
    }

    /** A restore announced by {@link #restoreStarted} has ended, restored or not. */
    synchronized void restoreEnded() {
        size.ended();
    }

    /** Unmaps up to {@code bytes} (rounded up to huge pages) of the reserve, for a restore about to fill as much. */
    synchronized void release(long bytes) {
        if (filler == null || closed) {
            return;
        }
        long left = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        lastRelease = System.nanoTime();
        size.released(left, lastRelease);
        unmapFromEnd(left);
        scheduleFill(quietNanos);
    }

    /** Unmaps {@code bytes} of the reserve, or all of it, from the end. */
    private void unmapFromEnd(long bytes) {
        long left = bytes;
        while (left > 0 && !held.isEmpty()) {
            MemorySegment last = held.pollLast();
            long cut = Math.min(left, last.byteSize());
            unmap(last.asSlice(last.byteSize() - cut, cut));
            if (cut < last.byteSize()) {
                held.addLast(last.asSlice(0, last.byteSize() - cut));
            }
            heldBytes -= cut;
            left -= cut;
        }
    }

    /** The bytes mapped and touched now. */
    synchronized long heldBytes() {
        return heldBytes;
    }

    /** The bytes the reserve fills to now: its base, or more after a burst. */
    synchronized long targetBytes() {
        return size.target(System.nanoTime());
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (filler != null) {
            filler.shutdownNow();
            try {
                filler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            held.forEach(WarmMemory::unmap);
            held.clear();
            heldBytes = 0;
        }
    }

    private void scheduleFill(long delayNanos) {
        if (!fillScheduled && heldBytes < size.target(System.nanoTime())) {
            fillScheduled = true;
            filler.schedule(this::fill, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Once a raised size has fallen back to the base, unmaps what the reserve holds beyond it. */
    private void scheduleShrink() {
        long until = size.nanosUntilBase(System.nanoTime());
        if (!shrinkScheduled && until > 0) {
            shrinkScheduled = true;
            filler.schedule(this::shrink, until, TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void shrink() {
        shrinkScheduled = false;
        if (closed) {
            return;
        }
        long target = size.target(System.nanoTime());
        if (heldBytes > target) {
            unmapFromEnd(heldBytes - target);
        }
        scheduleShrink();
    }

    /** Maps one segment at a time until the target is held, backing off whenever a restore took some meanwhile. */
    private void fill() {
        while (true) {
            synchronized (this) {
                fillScheduled = false;
                long sinceRelease = System.nanoTime() - lastRelease;
                if (closed) {
                    return;
                }
                long target = size.target(System.nanoTime());
                if (heldBytes >= target) {
                    unmapFromEnd(heldBytes - target);
                    scheduleShrink();
                    return;
                }
                if (sinceRelease < quietNanos) {
                    scheduleFill(quietNanos - sinceRelease);
                    return;
                }
            }
            if (HostMemory.availableBytes().orElse(Long.MAX_VALUE) < floorBytes + SEGMENT_BYTES) {
                synchronized (this) {
                    scheduleShrink(); // the host needs its memory more: try again after the next restore
                }
                return;
            }
            MemorySegment segment;
            try {
                segment = mapTouched(SEGMENT_BYTES);
            } catch (RuntimeException e) {
                // Out of memory or address space: hold what is held, and try again after the next restore.
                return;
            }
            synchronized (this) {
                if (closed) {
                    unmap(segment);
                    return;
                }
                held.addLast(segment);
                heldBytes += segment.byteSize();
            }
        }
    }

    /** Maps {@code bytes} aligned to a huge page, asks for huge pages and touches every page so the host backs it. */
    private static MemorySegment mapTouched(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            MemorySegment mapped = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, bytes + HUGE_PAGE,
                    PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (mapped.address() == -1L) {
                throw new IllegalStateException("mmap of " + bytes + " bytes failed: errno " + Libc.errno(state));
            }
            long start = (mapped.address() + HUGE_PAGE - 1) & -HUGE_PAGE;
            long head = start - mapped.address();
            if (head > 0) {
                unmap(MemorySegment.ofAddress(mapped.address()).reinterpret(head));
            }
            if (HUGE_PAGE - head > 0) {
                unmap(MemorySegment.ofAddress(start + bytes).reinterpret(HUGE_PAGE - head));
            }
            MemorySegment segment = MemorySegment.ofAddress(start).reinterpret(bytes);
            int ignored = (int) MADVISE.invokeExact(state, segment, bytes, MADV_HUGEPAGE);
            for (long offset = 0; offset < bytes; offset += PAGE) {
                segment.set(ValueLayout.JAVA_BYTE, offset, (byte) 1);
            }
            return segment;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void unmap(MemorySegment range) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) MUNMAP.invokeExact(Libc.callState(arena), range, range.byteSize());
            if (rc != 0) {
                throw new IllegalStateException("munmap failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
