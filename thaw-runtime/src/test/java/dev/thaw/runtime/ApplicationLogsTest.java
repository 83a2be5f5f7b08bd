package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApplicationLogsTest {

    private static final Instant NOW = Instant.parse("2026-12-06T22:15:30.123456Z");

    @Test
    void jsonLineCarriesTimestampLevelMessageAndRequestIdAsLambdasJavaRuntimeWritesThem() throws Exception {
        ApplicationLogs logs = ApplicationLogs.from(Map.of("AWS_LAMBDA_LOG_FORMAT", "JSON",
                "AWS_LAMBDA_LOG_LEVEL", "INFO"));
        String line = logs.format("hello \"world\"\nsecond line", LogLevel.WARN, "req-1", NOW);
        assertFalse(line.contains("\n"), line);
        JsonNode o = new ObjectMapper().readTree(line);
        assertEquals("2026-12-06T22:15:30.123Z", o.get("timestamp").asText());
        assertEquals("hello \"world\"\nsecond line", o.get("message").asText());
        assertEquals("WARN", o.get("level").asText());
        assertEquals("req-1", o.get("AWSRequestId").asText());
        assertEquals("[timestamp, message, level, AWSRequestId]", fieldNames(o));
    }

    @Test
    void jsonLineOutsideAnInvocationHasNoRequestIdAndALineWithoutLevelSaysUndefined() throws Exception {
        ApplicationLogs logs = ApplicationLogs.from(Map.of("AWS_LAMBDA_LOG_FORMAT", "JSON"));
        JsonNode o = new ObjectMapper().readTree(logs.format("init", LogLevel.UNDEFINED, null, NOW));
        assertFalse(o.has("AWSRequestId"));
        assertEquals("UNDEFINED", o.get("level").asText());
    }

    @Test
    void linesBelowTheApplicationLogLevelAreDroppedAndALineWithoutLevelCountsAsInfo() {
        ApplicationLogs warn = ApplicationLogs.from(Map.of("AWS_LAMBDA_LOG_FORMAT", "JSON",
                "AWS_LAMBDA_LOG_LEVEL", "WARN"));
        assertFalse(warn.enabled(LogLevel.TRACE));
        assertFalse(warn.enabled(LogLevel.DEBUG));
        assertFalse(warn.enabled(LogLevel.INFO));
        assertFalse(warn.enabled(LogLevel.UNDEFINED));
        assertTrue(warn.enabled(LogLevel.WARN));
        assertTrue(warn.enabled(LogLevel.ERROR));
        assertTrue(warn.enabled(LogLevel.FATAL));

        ApplicationLogs trace = ApplicationLogs.from(Map.of("AWS_LAMBDA_LOG_FORMAT", "JSON",
                "AWS_LAMBDA_LOG_LEVEL", "trace"));
        assertTrue(trace.enabled(LogLevel.TRACE));
        assertTrue(trace.enabled(LogLevel.UNDEFINED));
    }

    @Test
    void textFormatWithoutVariablesKeepsEveryLineAndPrefixesOnlyLinesWithALevel() {
        ApplicationLogs text = ApplicationLogs.from(Map.of());
        assertFalse(text.json());
        assertTrue(text.enabled(LogLevel.TRACE));
        assertEquals("plain", text.format("plain", LogLevel.UNDEFINED, "r", NOW));
        assertEquals("[ERROR] broken", text.format("broken", LogLevel.ERROR, "r", NOW));
    }

    private static String fieldNames(JsonNode o) {
        java.util.List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names.toString();
    }
}
