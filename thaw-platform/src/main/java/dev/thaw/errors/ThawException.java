package dev.thaw.errors;

import java.util.Map;

/**
 * A failure that reaches the caller as an AWS-shaped error. Static factories name the common cases so call sites read
 * like the AWS documentation.
 */
public class ThawException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, String> extraFields;
    private final Map<String, String> headers;

    public ThawException(ErrorCode code, String message) {
        this(code, message, Map.of(), Map.of(), null);
    }

    public ThawException(ErrorCode code, String message, Map<String, String> extraFields, Map<String, String> headers,
                         Throwable cause) {
        super(message, cause);
        this.code = code;
        this.extraFields = Map.copyOf(extraFields);
        this.headers = Map.copyOf(headers);
    }

    public ErrorCode code() {
        return code;
    }

    /** Fields added to the JSON body beside {@code __type} and {@code message}, such as {@code Reason}. */
    public Map<String, String> extraFields() {
        return extraFields;
    }

    /** Response headers beside {@code x-amzn-ErrorType}, such as {@code Retry-After}. */
    public Map<String, String> headers() {
        return headers;
    }

    public static ThawException invalidParameter(String message) {
        return new ThawException(ErrorCode.INVALID_PARAMETER_VALUE, message);
    }

    public static ThawException invalidContent(String message) {
        return new ThawException(ErrorCode.INVALID_REQUEST_CONTENT, message);
    }

    public static ThawException notFound(String message) {
        return new ThawException(ErrorCode.RESOURCE_NOT_FOUND, message);
    }

    public static ThawException conflict(String message) {
        return new ThawException(ErrorCode.RESOURCE_CONFLICT, message);
    }

    public static ThawException tooLarge(String message) {
        return new ThawException(ErrorCode.REQUEST_TOO_LARGE, message);
    }

    public static ThawException service(String message, Throwable cause) {
        return new ThawException(ErrorCode.SERVICE, message, Map.of(), Map.of(), cause);
    }

    public static ThawException throttled(String reason, String message, int retryAfterSeconds) {
        return new ThawException(ErrorCode.TOO_MANY_REQUESTS, message, Map.of("Reason", reason),
                Map.of("Retry-After", Integer.toString(retryAfterSeconds)), null);
    }
}
