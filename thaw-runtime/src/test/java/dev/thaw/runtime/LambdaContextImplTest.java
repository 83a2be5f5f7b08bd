package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LambdaContextImplTest {

    private final RuntimeEnvironment env = new RuntimeEnvironment("h", "127.0.0.1:1", Path.of("."), "on-demand",
            "fn", "$LATEST", 512, "/aws/lambda/fn", "2024/01/01/[$LATEST]abc");

    @Test
    void remainingTimeCountsDownToTheDeadline() {
        LambdaContextImpl context = context(System.currentTimeMillis() + 5_000, Optional.empty(), Optional.empty());

        int remaining = context.getRemainingTimeInMillis();
        assertTrue(remaining > 4_000 && remaining <= 5_000, Integer.toString(remaining));
        assertEquals(512, context.getMemoryLimitInMB());
        assertEquals("2024/01/01/[$LATEST]abc", context.getLogStreamName());
    }

    @Test
    void absentOrMalformedIdentityHeadersGiveNull() {
        LambdaContextImpl context = context(0, Optional.of("not json"), Optional.empty());

        assertNull(context.getClientContext());
        assertNull(context.getIdentity());
    }

    @Test
    void theLoggerWritesOneLinePerCallToStdout() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            var logger = context(0, Optional.empty(), Optional.empty()).getLogger();
            logger.log("no newline");
            logger.log("has newline\n");
            logger.log("bytes".getBytes(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
        assertEquals("no newline\nhas newline\nbytes\n", captured.toString(StandardCharsets.UTF_8));
    }

    private LambdaContextImpl context(long deadline, Optional<String> clientContext, Optional<String> identity) {
        Invocation invocation = new Invocation("id", deadline, "arn", Optional.empty(), clientContext, identity, new byte[0]);
        return new LambdaContextImpl(invocation, env, new LazyJsonCodec());
    }
}
