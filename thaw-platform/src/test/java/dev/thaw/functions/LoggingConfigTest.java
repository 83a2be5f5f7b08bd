package dev.thaw.functions;

import dev.thaw.errors.ThawException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoggingConfigTest {
    private static final LoggingConfig TEXT = LoggingConfig.TEXT_LOGS;

    @Test
    void jsonLevelsDefaultToInfoAndAnUpdateKeepsWhatItLeavesOut() {
        LoggingConfig json = TEXT.with(new LoggingConfig("JSON", null, null));
        assertEquals(new LoggingConfig("JSON", "INFO", "INFO"), json);
        LoggingConfig debug = json.with(new LoggingConfig(null, "DEBUG", null));
        assertEquals(new LoggingConfig("JSON", "DEBUG", "INFO"), debug);
        assertEquals(debug, debug.with(null));
    }

    @Test
    void backToTextClearsTheLevelsAndALevelForTextIsRefused() {
        LoggingConfig json = new LoggingConfig("JSON", "WARN", "DEBUG");
        assertEquals(TEXT, json.with(new LoggingConfig("Text", null, null)));
        assertThrows(ThawException.class, () -> TEXT.with(new LoggingConfig(null, "DEBUG", null)));
        assertThrows(ThawException.class, () -> json.with(new LoggingConfig("Text", null, "WARN")));
    }

    @Test
    void systemRecordsAtInfoAreWrittenUnlessTheSystemLevelIsWarn() {
        assertTrue(new LoggingConfig("JSON", "INFO", "DEBUG").writesSystemRecord("INFO"));
        assertTrue(new LoggingConfig("JSON", "INFO", "INFO").writesSystemRecord("INFO"));
        assertFalse(new LoggingConfig("JSON", "INFO", "WARN").writesSystemRecord("INFO"));
        assertTrue(new LoggingConfig("JSON", "INFO", "WARN").writesSystemRecord("WARN"));
    }

    @Test
    void unknownMembersAreRefusedWithAwsValidationMessage() {
        ThawException e = assertThrows(ThawException.class, () -> LoggingConfig.member("LOUD",
                LoggingConfig.APPLICATION_LEVELS, "loggingConfig.applicationLogLevel"));
        assertEquals("1 validation error detected: Value 'LOUD' at 'loggingConfig.applicationLogLevel' failed to "
                + "satisfy constraint: Member must satisfy enum value set: [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]",
                e.getMessage());
        assertEquals("JSON", LoggingConfig.member("JSON", LoggingConfig.FORMATS, "loggingConfig.logFormat"));
    }
}
