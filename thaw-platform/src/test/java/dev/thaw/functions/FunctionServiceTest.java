package dev.thaw.functions;

import dev.thaw.errors.ThawException;
import dev.thaw.store.MetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control plane's validation, against a real store and code store in a temporary directory. */
class FunctionServiceTest {
    private static final int ACCOUNT_LIMIT = 64;
    private static final int UNRESERVED_MINIMUM = 6;

    @TempDir
    Path dir;
    private MetadataStore store;
    private FunctionService functions;

    @BeforeEach
    void open() {
        store = MetadataStore.open(dir.resolve("metadata.db"));
        RuntimeAvailability everyRuntime = new RuntimeAvailability() {
            @Override
            public void requireAvailable(String runtime) {
            }

            @Override
            public void requireSnapshotSupport(String runtime) {
            }
        };
        functions = new FunctionService(store, new CodeStore(dir.resolve("code")), new Arns("us-east-1",
                "000000000000"), everyRuntime, ACCOUNT_LIMIT, UNRESERVED_MINIMUM, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A package whose entries each hold one byte: enough for the handler check, which looks for the class file. */
    private static byte[] zip(String... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String name : entries) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write(1);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static FunctionConfig config(Map<String, String> environment) {
        return new FunctionConfig("java17", "example.Handler", "arn:aws:iam::000000000000:role/r", "", 512, 3, 512,
                environment, SnapStartMode.NONE);
    }

    private FunctionVersion create(String name, Map<String, String> environment, byte[] zip) {
        return functions.create(new Commands.CreateFunction(name, config(environment), zip, false));
    }

    private static String message(Runnable call) {
        return assertThrows(ThawException.class, call::run).getMessage();
    }

    @Test
    void anEnvironmentValueWithANulCharacterIsRefused() {
        String m = message(() -> create("f", Map.of("NV", "a\u0000b"), zip("example/Handler.class")));
        assertTrue(m.contains("NUL"), m);
    }

    @Test
    void theFourKilobyteEnvironmentLimitCountsUtf8Bytes() throws IOException {
        // 2,000 characters of two bytes each: 4,000 bytes, and the two keys take it past 4,096.
        String wide = "\u00e9".repeat(2000);
        String m = message(() -> create("f", Map.of("WIDE", wide, "MORE", "x".repeat(100)),
                zip("example/Handler.class")));
        assertTrue(m.contains("4KB"), m);
        create("f", Map.of("NARROW", "x".repeat(4000)), zip("example/Handler.class"));
    }

    @Test
    void aRejectedCreateLeavesNoPackageBehind() throws IOException {
        create("taken", Map.of(), zip("example/Handler.class"));
        Set<String> before = codeEntries();
        message(() -> create("taken", Map.of(), zip("example/Handler.class", "other.txt")));
        message(() -> create("nohandler", Map.of(), zip("somewhere/Else.class")));
        assertEquals(before, codeEntries());
    }

    private Set<String> codeEntries() throws IOException {
        try (var entries = Files.list(dir.resolve("code"))) {
            return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void anAliasMustPointAtLatestOrAVersionNumber() throws IOException {
        create("f", Map.of(), zip("example/Handler.class"));
        String m = message(() -> functions.createAlias(new Commands.CreateAlias("f", "live", "abc", null)));
        assertTrue(m.contains("functionVersion"), m);
        assertEquals("$LATEST", functions.createAlias(new Commands.CreateAlias("f", "live", "$LATEST", null))
                .functionVersion());
    }

    @Test
    void reservationsLeaveTheUnreservedMinimum() throws IOException {
        create("a", Map.of(), zip("example/Handler.class"));
        create("b", Map.of(), zip("example/Handler.class"));
        functions.putReservedConcurrency("a", 50);
        String m = message(() -> functions.putReservedConcurrency("b", ACCOUNT_LIMIT - UNRESERVED_MINIMUM - 49));
        assertTrue(m.contains("minimum value of [" + UNRESERVED_MINIMUM + "]"), m);
        assertEquals(ACCOUNT_LIMIT - UNRESERVED_MINIMUM - 50,
                functions.putReservedConcurrency("b", ACCOUNT_LIMIT - UNRESERVED_MINIMUM - 50));
    }

    @Test
    void aQualifierOutsideAwsPatternIsRefused() throws IOException {
        create("f", Map.of(), zip("example/Handler.class"));
        String m = message(() -> functions.get("f", "$LATEST\u0000"));
        assertTrue(m.contains("qualifier"), m);
    }
}
