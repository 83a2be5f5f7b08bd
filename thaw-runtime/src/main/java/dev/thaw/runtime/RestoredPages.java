package dev.thaw.runtime;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads one byte of every resident page of this process's private anonymous memory, from user mode. CRIU writes a
 * restored copy's pages from the kernel, and on hosts whose hypervisor shadows the guest's page tables (PVM, for one)
 * the first user-mode access to each page then costs a trip to the hypervisor (docs/snapstart.md has the figures),
 * which a restored copy's first request would pay for every page it touches. A provisioned concurrency copy is restored
 * ahead of any request, so it takes that cost before it is ready instead. Elsewhere the pass is a cheap read.
 *
 * <p>Only pages already resident are read (by {@code /proc/self/pagemap}), so the pass never allocates memory or
 * grows the copy's RSS. File mappings, shared memory and the kernel's special mappings are left alone.
 */
final class RestoredPages {

    private static final long PAGE = 4096;
    private static final long PRESENT = 1L << 63;
    /** Page-map entries read at a time: 8 bytes each, so 64 KB per read. */
    private static final int ENTRIES_PER_READ = 8192;

    private RestoredPages() {
    }

    /** What a pass did. */
    record Touched(long pages, long millis) {
    }

    /** One line of {@code /proc/self/maps}: its range, permissions and name (empty for anonymous memory). */
    record Mapping(long start, long end, String permissions, String name) {

        static Optional<Mapping> parse(String line) {
            String[] fields = line.trim().split("\\s+", 6);
            if (fields.length < 5) {
                return Optional.empty();
            }
            int dash = fields[0].indexOf('-');
            if (dash < 0 || fields[1].length() < 4) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Mapping(Long.parseUnsignedLong(fields[0].substring(0, dash), 16),
                        Long.parseUnsignedLong(fields[0].substring(dash + 1), 16), fields[1],
                        fields.length == 6 ? fields[5].trim() : ""));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        /**
         * Readable private memory with no file behind it: the Java heap, metaspace, the code cache, malloc's arenas
         * and thread stacks. Not files (reading past a truncated file's end raises SIGBUS), not shared memory, not
         * {@code [vvar]} or {@code [vsyscall]}.
         */
        boolean privateAnonymous() {
            boolean anonymous = name.isEmpty() || name.equals("[heap]") || name.startsWith("[stack")
                    || name.startsWith("[anon:");
            return anonymous && permissions.charAt(0) == 'r' && permissions.charAt(3) == 'p';
        }
    }

    /** The private anonymous mappings of {@code mapsText}, the text of {@code /proc/<pid>/maps}. */
    static List<Mapping> privateAnonymous(String mapsText) {
        List<Mapping> mappings = new ArrayList<>();
        for (String line : mapsText.split("\n")) {
            Mapping.parse(line).filter(Mapping::privateAnonymous).ifPresent(mappings::add);
        }
        return mappings;
    }

    /** Reads every resident page of this process's private anonymous memory once. */
    static Touched touchResident() throws IOException {
        long start = System.nanoTime();
        Reader reader = Reader.create();
        long pages = 0;
        int sink = 0;
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"))) {
            ByteBuffer entries = ByteBuffer.allocate(ENTRIES_PER_READ * 8).order(ByteOrder.nativeOrder());
            for (Mapping m : privateAnonymous(Files.readString(Path.of("/proc/self/maps")))) {
                for (long chunk = m.start(); chunk < m.end(); chunk += ENTRIES_PER_READ * PAGE) {
                    long chunkEnd = Math.min(m.end(), chunk + ENTRIES_PER_READ * PAGE);
                    entries.clear().limit((int) ((chunkEnd - chunk) / PAGE * 8));
                    long offset = chunk / PAGE * 8;
                    while (entries.hasRemaining() && pagemap.read(entries, offset + entries.position()) > 0) {
                        // a short read continues where it stopped
                    }
                    entries.flip();
                    for (long page = chunk; entries.remaining() >= 8; page += PAGE) {
                        if ((entries.getLong() & PRESENT) != 0) {
                            sink += reader.read(page);
                            pages++;
                        }
                    }
                }
            }
        }
        blackhole = sink;
        return new Touched(pages, (System.nanoTime() - start) / 1_000_000);
    }

    /** Keeps the JIT from dropping the reads. */
    @SuppressWarnings("unused")
    private static volatile int blackhole;

    /** A read of one byte at an address, through sun.misc.Unsafe (in jdk.unsupported, on every JDK since 9). */
    private record Reader(sun.misc.Unsafe unsafe) {

        static Reader create() throws IOException {
            try {
                Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                return new Reader((sun.misc.Unsafe) field.get(null));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IOException("sun.misc.Unsafe is not available: " + e, e);
            }
        }

        byte read(long address) {
            return unsafe.getByte(address);
        }
    }
}
