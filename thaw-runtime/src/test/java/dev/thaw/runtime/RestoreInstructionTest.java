package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestoreInstructionTest {

    private final JsonCodec codec = new JsonCodec();

    @Test
    void theLineNamesTheNewRuntimeApiAndUnknownFieldsAreIgnored() throws IOException {
        RestoreInstruction r = RestoreInstruction.parse(
                "{\"runtimeApi\":\"127.0.0.1:9123\",\"environmentId\":\"env-abc\",\"later\":{\"x\":1}}", codec).orElseThrow();

        assertEquals("127.0.0.1:9123", r.runtimeApi());
        assertEquals(Optional.of("env-abc"), r.environmentId());
        assertEquals(Optional.empty(), r.logStreamName());
    }

    @Test
    void onlyAProvisionedCopysLineAsksForItsPagesToBeRead() throws IOException {
        assertEquals(false, RestoreInstruction.parse("{\"runtimeApi\":\"127.0.0.1:1\"}", codec).orElseThrow()
                .touchPages());
        assertEquals(true, RestoreInstruction.parse("{\"runtimeApi\":\"127.0.0.1:1\",\"touchPages\":true}", codec)
                .orElseThrow().touchPages());
    }

    @Test
    void abortMeansNoRestore() throws IOException {
        assertEquals(Optional.empty(), RestoreInstruction.parse("{\"abort\":true}", codec));
    }

    @Test
    void aLineWithoutAnAddressOrNotJsonIsRefused() {
        assertThrows(IOException.class, () -> RestoreInstruction.parse("{\"environmentId\":\"e\"}", codec));
        assertThrows(IOException.class, () -> RestoreInstruction.parse("go", codec));
        assertThrows(IOException.class, () -> RestoreInstruction.parse("[1]", codec));
    }

    @Test
    void theChannelReadsOneLineAndNotOneByteMore() throws IOException {
        InputStream stdin = new ByteArrayInputStream("{\"a\":1}\r\nNEXT".getBytes(StandardCharsets.UTF_8));

        assertEquals(Optional.of("{\"a\":1}"), new RestoreChannel(stdin).readLine());
        assertEquals("NEXT", new String(stdin.readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theChannelReportsTheEndOfStdin() throws IOException {
        assertTrue(new RestoreChannel(new ByteArrayInputStream(new byte[0])).readLine().isEmpty());
        assertEquals(Optional.of("last"), new RestoreChannel(new ByteArrayInputStream("last".getBytes())).readLine());
    }
}
