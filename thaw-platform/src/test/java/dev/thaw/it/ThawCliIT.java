package dev.thaw.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code thaw deploy}, {@code invoke} and {@code ls}: the built jar as a client of a running server's HTTP API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThawCliIT {
    private static final Path HELLO = ThawServerProcess.REPO.resolve("examples/hello/target/hello.zip");
    private ThawServerProcess server;

    @BeforeAll
    void start() {
        server = ThawServerProcess.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** Exit value and output (stdout and stderr together) of one {@code thaw} command against the server. */
    record Run(int exit, String output) {
    }

    private Run thaw(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--endpoint-url";
        all[args.length + 1] = server.endpoint().toString();
        try (LocalCommand command = new LocalCommand("thaw-cli-" + args[0])) {
            int exit = command.runJar(2, all);
            return new Run(exit, command.output());
        }
    }

    @Test
    void deployInvokeAndListThroughTheApi() throws Exception {
        String sha = Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(HELLO)));
        Run created = thaw("deploy", "hello", "--code", HELLO.toString(), "--handler", "dev.thaw.examples.hello.Hello");
        assertEquals(0, created.exit(), created.output());
        assertTrue(created.output().contains("created hello (CodeSha256 " + sha + ")"), created.output());

        Run published = thaw("deploy", "hello", "--code", HELLO.toString(), "--handler",
                "dev.thaw.examples.hello.Hello", "--memory", "256", "--publish");
        assertEquals(0, published.exit(), published.output());
        assertTrue(published.output().contains("updated hello"), published.output());
        assertTrue(published.output().matches("(?s).*published version 1: .*Active.*"), published.output());

        Run invoked = thaw("invoke", "hello", "{\"name\":\"cli\"}", "--tail");
        assertEquals(0, invoked.exit(), invoked.output());
        assertTrue(invoked.output().contains("{\"message\":\"Hello, cli!\"}"), invoked.output());
        assertTrue(invoked.output().contains("version $LATEST") && invoked.output().contains("REPORT RequestId:"),
                invoked.output());

        Path event = Files.createTempFile("thaw-cli-event", ".json");
        try {
            Files.writeString(event, "{\"name\":\"file\"}");
            Run fromFile = thaw("invoke", "hello", "-q", "1", "--file", event.toString());
            assertEquals(0, fromFile.exit(), fromFile.output());
            assertTrue(fromFile.output().contains("{\"message\":\"Hello, file!\"}")
                    && fromFile.output().contains("version 1,"), fromFile.output());
        } finally {
            Files.delete(event);
        }

        Run listed = thaw("ls");
        assertEquals(0, listed.exit(), listed.output());
        assertTrue(listed.output().matches("(?s).*\\nhello +java17 +256 MB +30 s +Active +dev\\.thaw\\.examples\\.hello\\.Hello.*"),
                listed.output());
    }

    @Test
    void anApiErrorIsPrintedByNameWithoutAStackTrace() throws Exception {
        Run missing = thaw("invoke", "no-such-function");
        assertEquals(1, missing.exit(), missing.output());
        assertTrue(missing.output().contains("thaw: ResourceNotFoundException: "), missing.output());
        assertTrue(!missing.output().contains("\tat "), missing.output());
    }
}
