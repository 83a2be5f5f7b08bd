package dev.thaw.runtime;

/** The values of {@code Lambda-Runtime-Function-Error-Type} this runtime sends, as AWS names them. */
enum RuntimeErrorType {
    /** The handler cannot be loaded: bad handler string, class or method missing, no usable constructor. */
    BAD_FUNCTION_CODE("Runtime.BadFunctionCode"),
    /** The function's own code threw: static initialiser, constructor or handler. */
    USER_EXCEPTION("Runtime.UserException"),
    OUT_OF_MEMORY("Runtime.OutOfMemory"),
    BEFORE_CHECKPOINT("Runtime.BeforeCheckpointError"),
    AFTER_RESTORE("Runtime.AfterRestoreError");

    private final String header;

    RuntimeErrorType(String header) {
        this.header = header;
    }

    String header() {
        return header;
    }

    static RuntimeErrorType ofUserThrowable(Throwable t) {
        return t instanceof OutOfMemoryError ? OUT_OF_MEMORY : USER_EXCEPTION;
    }
}
