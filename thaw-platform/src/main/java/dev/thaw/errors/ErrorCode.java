package dev.thaw.errors;

/** AWS Lambda's (and the CloudWatch Logs subset's) error types, with the HTTP status AWS uses for each. */
public enum ErrorCode {
    INVALID_PARAMETER_VALUE("InvalidParameterValueException", 400),
    INVALID_REQUEST_CONTENT("InvalidRequestContentException", 400),
    RESOURCE_NOT_FOUND("ResourceNotFoundException", 404),
    RESOURCE_CONFLICT("ResourceConflictException", 409),
    PRECONDITION_FAILED("PreconditionFailedException", 412),
    REQUEST_TIMEOUT("RequestTimeoutException", 408),
    REQUEST_TOO_LARGE("RequestTooLargeException", 413),
    UNSUPPORTED_MEDIA_TYPE("UnsupportedMediaTypeException", 415),
    TOO_MANY_REQUESTS("TooManyRequestsException", 429),
    SERVICE("ServiceException", 500),
    RESOURCE_NOT_READY("ResourceNotReadyException", 502),
    UNKNOWN_OPERATION("UnknownOperationException", 404),
    PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND("ProvisionedConcurrencyConfigNotFoundException", 404),
    SNAP_START_NOT_READY("SnapStartNotReadyException", 409),
    SNAP_START_TIMEOUT("SnapStartTimeoutException", 408),
    SNAP_START("SnapStartException", 400),
    MISSING_AUTHENTICATION_TOKEN("MissingAuthenticationTokenException", 403),
    INCOMPLETE_SIGNATURE("IncompleteSignatureException", 400),
    UNRECOGNIZED_CLIENT("UnrecognizedClientException", 403),
    INVALID_SIGNATURE("InvalidSignatureException", 403),
    /** CloudWatch Logs answers every client error with 400, a missing log group or stream included. */
    LOGS_RESOURCE_NOT_FOUND("ResourceNotFoundException", 400),
    LOGS_INVALID_PARAMETER("InvalidParameterException", 400);

    private final String awsType;
    private final int httpStatus;

    ErrorCode(String awsType, int httpStatus) {
        this.awsType = awsType;
        this.httpStatus = httpStatus;
    }

    public String awsType() {
        return awsType;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
