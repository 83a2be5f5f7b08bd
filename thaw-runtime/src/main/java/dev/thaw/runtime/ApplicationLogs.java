package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * How LambdaLogger lines are written, as Lambda's Java runtime writes them under its advanced logging controls: the
 * format and the application log level come from {@code AWS_LAMBDA_LOG_FORMAT} and {@code AWS_LAMBDA_LOG_LEVEL}.
 * In JSON each line is one object ({@code timestamp}, {@code message}, {@code level}, {@code AWSRequestId}); in Text
 * a line with a level starts with {@code [LEVEL] }. A line below the level is dropped. A line logged without a level
 * ({@code UNDEFINED}) counts as INFO, which is what Lambda's log filter makes of a level it does not know.
 */
final class ApplicationLogs {

    static final String FORMAT_VARIABLE = "AWS_LAMBDA_LOG_FORMAT";
    static final String LEVEL_VARIABLE = "AWS_LAMBDA_LOG_LEVEL";

    private final boolean json;
    private final LogLevel minimum;

    ApplicationLogs(boolean json, LogLevel minimum) {
        this.json = json;
        this.minimum = minimum;
    }

    /** Text with nothing dropped unless the variables say otherwise, as when Lambda sets neither. */
    static ApplicationLogs from(Map<String, String> env) {
        boolean json = "JSON".equalsIgnoreCase(env.getOrDefault(FORMAT_VARIABLE, "").strip());
        LogLevel minimum = LogLevel.UNDEFINED;
        String level = env.get(LEVEL_VARIABLE);
        if (level != null && !level.isBlank()) {
            try {
                minimum = LogLevel.valueOf(level.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                minimum = LogLevel.UNDEFINED;
            }
        }
        return new ApplicationLogs(json, minimum);
    }

    boolean json() {
        return json;
    }

    /** Whether a line at {@code level} is written. */
    boolean enabled(LogLevel level) {
        if (minimum == LogLevel.UNDEFINED) {
            return true;
        }
        LogLevel effective = level == LogLevel.UNDEFINED ? LogLevel.INFO : level;
        return effective.ordinal() >= minimum.ordinal();
    }

    /** The line for {@code message}, without its newline; {@code requestId} may be null (outside an invocation). */
    String format(String message, LogLevel level, String requestId, Instant now) {
        if (!json) {
            return level == LogLevel.UNDEFINED ? message : "[" + level.name() + "] " + message;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length() + 96);
        try (JsonGenerator g = JsonLines.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("timestamp", JsonLines.TIMESTAMP.format(now));
            g.writeStringField("message", message);
            g.writeStringField("level", level.name());
            if (requestId != null) {
                g.writeStringField("AWSRequestId", requestId);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Loaded on the first JSON line only: a Text function's INIT loads neither Jackson nor java.time formatting. */
    private static final class JsonLines {
        static final DateTimeFormatter TIMESTAMP =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
        static final JsonFactory FACTORY = new JsonFactory();
    }
}
