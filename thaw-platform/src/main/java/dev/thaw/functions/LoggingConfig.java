package dev.thaw.functions;

import dev.thaw.errors.ThawException;

import java.util.List;

/**
 * A function's log format and levels ({@code LoggingConfig} without its inert {@code LogGroup}): {@code Text}, or
 * {@code JSON} with an application level (what the runtime's LambdaLogger keeps) and a system level (what the
 * platform's {@code platform.*} records need to be written). In an update a null field means "leave as it is".
 */
public record LoggingConfig(String logFormat, String applicationLogLevel, String systemLogLevel) {

    public static final String TEXT = "Text";
    public static final String JSON = "JSON";
    public static final List<String> FORMATS = List.of(TEXT, JSON);
    public static final List<String> APPLICATION_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");
    public static final List<String> SYSTEM_LEVELS = List.of("DEBUG", "INFO", "WARN");
    public static final String DEFAULT_LEVEL = "INFO";

    public static final LoggingConfig TEXT_LOGS = new LoggingConfig(TEXT, null, null);

    public boolean json() {
        return JSON.equals(logFormat);
    }

    /**
     * This configuration with {@code changes} applied: levels default to INFO under JSON and are cleared when the
     * format goes back to Text; a level given for Text logs is refused, since nothing would apply it.
     */
    public LoggingConfig with(LoggingConfig changes) {
        if (changes == null) {
            return this;
        }
        String format = changes.logFormat != null ? changes.logFormat : logFormat;
        if (!JSON.equals(format)) {
            if (changes.applicationLogLevel != null || changes.systemLogLevel != null) {
                throw ThawException.invalidParameter("LoggingConfig.ApplicationLogLevel and "
                        + "LoggingConfig.SystemLogLevel apply only when LoggingConfig.LogFormat is JSON.");
            }
            return TEXT_LOGS;
        }
        return new LoggingConfig(JSON,
                firstOf(changes.applicationLogLevel, applicationLogLevel),
                firstOf(changes.systemLogLevel, systemLogLevel));
    }

    /** Whether a platform record at {@code level} (DEBUG, INFO or WARN) is written under this configuration. */
    public boolean writesSystemRecord(String level) {
        String minimum = systemLogLevel == null ? DEFAULT_LEVEL : systemLogLevel;
        return SYSTEM_LEVELS.indexOf(level) >= SYSTEM_LEVELS.indexOf(minimum);
    }

    /** The application level a JSON configuration applies (INFO unless set). */
    public String effectiveApplicationLogLevel() {
        return applicationLogLevel == null ? DEFAULT_LEVEL : applicationLogLevel;
    }

    public String effectiveSystemLogLevel() {
        return systemLogLevel == null ? DEFAULT_LEVEL : systemLogLevel;
    }

    private static String firstOf(String a, String b) {
        return a != null ? a : b != null ? b : DEFAULT_LEVEL;
    }

    /** AWS's validation of an enum member, with its message. */
    public static String member(String value, List<String> allowed, String field) {
        if (value == null) {
            return null;
        }
        if (!allowed.contains(value)) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + value + "' at '"
                    + field + "' failed to satisfy constraint: Member must satisfy enum value set: " + allowed);
        }
        return value;
    }
}
