package dev.thaw.environments;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Durable, bounded logs: one log group per function ({@code logs/<function>/}) and one stream per environment, named
 * like Lambda's {@code yyyy/MM/dd/[version]id} (a 32-hex id that begins with the environment's id) and stored as
 * {@code yyyy-MM-dd_version_id.log}. Each line is stored as {@code <epoch-ms> <text>}. A stream
 * rotates once it reaches {@link #MAX_STREAM_BYTES}, and only the newest rotated file is kept, so a chatty function
 * uses at most twice that per environment; a group keeps at most {@link #MAX_GROUP_BYTES} in all.
 */
public final class FunctionLogs {
    static final long MAX_STREAM_BYTES = 8L * 1024 * 1024;
    static final long MAX_GROUP_BYTES = 256L * 1024 * 1024;
    private static final int STREAM_ID_CHARS = 32;
    private static final String LATEST = "$LATEST";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final Path root;

    public FunctionLogs(Path root) {
        this.root = root;
    }

    /** Opens the stream for one environment. */
    public Stream open(String functionName, String version, String environmentId) {
        String safeVersion = version.replace("$", "");
        Path dir = groupDirectory(functionName);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String streamId = (environmentId + UUID.randomUUID().toString().replace("-", "")).substring(0, STREAM_ID_CHARS);
        String name = DAY.format(Instant.now()) + "_" + safeVersion + "_" + streamId + ".log";
        return new Stream(dir, dir.resolve(name));
    }

    /**
     * A function's log group directory; a name that does not resolve to a directory right inside the root (empty,
     * with a separator, {@code .} or {@code ..}) is refused.
     */
    private Path groupDirectory(String functionName) {
        Path dir = root.resolve(functionName).normalize();
        if (!root.normalize().equals(dir.getParent())) {
            throw new IllegalArgumentException("not a function name: " + functionName);
        }
        return dir;
    }

    /** Lines of a function's log group, oldest first, at most {@code limit} from the end. */
    public List<String> read(String functionName, int limit) {
        Path dir = groupDirectory(functionName);
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<String[]> entries = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".log.1")).toList()) {
                String stream = f.getFileName().toString();
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    int sp = line.indexOf(' ');
                    if (sp > 0) {
                        entries.add(new String[] {line.substring(0, sp), stream, line.substring(sp + 1)});
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entries.sort(Comparator.comparingLong(e -> Long.parseLong(e[0])));
        List<String> out = new ArrayList<>();
        for (String[] e : entries.subList(Math.max(0, entries.size() - limit), entries.size())) {
            out.add(e[0] + " " + e[2]);
        }
        return out;
    }

    /** Functions that have logged anything (their log groups exist until their lines are rotated away). */
    public List<String> groups() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (var dirs = Files.list(root)) {
            return dirs.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes a function's log group holds on disk, without reading it (0 when it does not exist). */
    public long storedBytes(String functionName) {
        Path dir = groupDirectory(functionName);
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        long total = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                try {
                    total += Files.size(f);
                } catch (java.nio.file.NoSuchFileException rotatedMeanwhile) {
                    // counted under its new name, or deleted by the group limit
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total;
    }

    /** When a function's log group came to be (its directory's creation, or last change where unknown). */
    public long createdAt(String functionName) {
        try {
            var a = Files.readAttributes(groupDirectory(functionName), java.nio.file.attribute.BasicFileAttributes.class);
            long created = a.creationTime().toMillis();
            return created > 0 ? created : a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** A stored line: its stream (Lambda's name), its position in the stream, when it was written and its text. */
    public record StoredLine(String stream, int index, long timestamp, String message) {
    }

    /** One stream of a group as stored now: its Lambda name, size on disk, and its lines, oldest first. */
    public record StoredStream(String name, long storedBytes, long createdAt, List<StoredLine> lines) {
    }

    /**
     * The streams of a function's log group with their lines (the rotated part first); empty when the group does
     * not exist. Files of another name are not streams and are left out.
     */
    public List<StoredStream> streams(String functionName) {
        Path dir = groupDirectory(functionName);
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        java.util.Map<String, List<Path>> parts = new java.util.TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String file = f.getFileName().toString();
                String base = file.endsWith(".log.1") ? file.substring(0, file.length() - 2) : file;
                if (base.endsWith(".log") && streamName(base) != null) {
                    parts.computeIfAbsent(base, k -> new ArrayList<>()).add(f);
                }
            }
            List<StoredStream> out = new ArrayList<>();
            for (var entry : parts.entrySet()) {
                String stream = streamName(entry.getKey());
                List<Path> ordered = entry.getValue().stream()
                        .sorted(Comparator.comparing((Path p) -> !p.toString().endsWith(".log.1"))).toList();
                List<StoredLine> lines = new ArrayList<>();
                long bytes = 0;
                long created = Long.MAX_VALUE;
                for (Path f : ordered) {
                    bytes += Files.size(f);
                    created = Math.min(created, Files.getLastModifiedTime(f).toMillis());
                    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        int sp = line.indexOf(' ');
                        if (sp > 0) {
                            try {
                                lines.add(new StoredLine(stream, lines.size(), Long.parseLong(line.substring(0, sp)),
                                        line.substring(sp + 1)));
                            } catch (NumberFormatException notALine) {
                                // A line cut by a crash mid-write: skipped.
                            }
                        }
                    }
                }
                long createdAt = lines.isEmpty() ? created : lines.getFirst().timestamp();
                out.add(new StoredStream(stream, bytes, createdAt, lines));
            }
            return out;
        } catch (java.nio.file.NoSuchFileException rotatedMeanwhile) {
            return streams(functionName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 2026-12-01_LATEST_<id>.log} is the stream {@code 2026/12/01/[$LATEST]<id>}; null for other names. */
    static String streamName(String file) {
        String[] p = file.substring(0, file.length() - ".log".length()).split("_", 3);
        if (p.length != 3 || p[0].length() != 10) {
            return null;
        }
        String version = "LATEST".equals(p[1]) ? LATEST : p[1];
        return p[0].replace('-', '/') + "/[" + version + "]" + p[2];
    }

    /**
     * One environment's log stream; thread-safe. Lines are buffered until {@link #flush}: the environment flushes
     * once per invocation, after its REPORT line, and after every line written outside an invocation. Lines of a
     * long invocation still reach the file within {@link #FLUSH_EVERY_MS}: readers of the log (a tail, another
     * process after a crash) see them while it runs.
     */
    public static final class Stream implements AutoCloseable {
        static final long FLUSH_EVERY_MS = 200;
        private static final java.util.Set<Stream> UNFLUSHED = java.util.concurrent.ConcurrentHashMap.newKeySet();

        static {
            Thread.ofPlatform().daemon().name("function-log-flusher").start(() -> {
                while (true) {
                    try {
                        Thread.sleep(FLUSH_EVERY_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (Stream s : UNFLUSHED) {
                        s.flush();
                    }
                }
            });
        }

        private final Path group;
        private final Path file;
        private OutputStream out;
        private long written;
        private boolean unflushed;

        Stream(Path group, Path file) {
            this.group = group;
            this.file = file;
        }

        public synchronized void append(String line) {
            try {
                if (out == null) {
                    out = new java.io.BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND), 16384);
                    written = Files.size(file);
                }
                byte[] bytes = (System.currentTimeMillis() + " " + line + "\n").getBytes(StandardCharsets.UTF_8);
                out.write(bytes);
                written += bytes.length;
                if (!unflushed) {
                    unflushed = true;
                    UNFLUSHED.add(this);
                }
                if (written >= MAX_STREAM_BYTES) {
                    rotate();
                }
            } catch (IOException e) {
                // Logging must never fail an invocation; the line is still in the invocation's tail.
            }
        }

        public synchronized void flush() {
            if (unflushed) {
                unflushed = false;
                UNFLUSHED.remove(this);
            }
            try {
                if (out != null) {
                    out.flush();
                }
            } catch (IOException ignored) {
                // See append.
            }
        }

        private void rotate() throws IOException {
            out.close();
            out = null;
            Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            written = 0;
            enforceGroupLimit();
        }

        private void enforceGroupLimit() throws IOException {
            List<Path> files;
            try (var s = Files.list(group)) {
                files = s.sorted(Comparator.comparingLong(p -> p.toFile().lastModified())).toList();
            }
            long total = 0;
            for (Path p : files) {
                total += Files.size(p);
            }
            for (Path p : files) {
                if (total <= MAX_GROUP_BYTES) {
                    break;
                }
                if (!p.equals(file)) {
                    total -= Files.size(p);
                    Files.deleteIfExists(p);
                }
            }
        }

        @Override
        public synchronized void close() {
            UNFLUSHED.remove(this);
            unflushed = false;
            try {
                if (out != null) {
                    out.close();
                    out = null;
                }
            } catch (IOException ignored) {
                // Nothing to do on close.
            }
        }
    }
}
