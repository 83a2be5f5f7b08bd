package dev.thaw.runtime;

/** INIT could not produce a handler; carries what to report to {@code /runtime/init/error}. */
final class InitFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final RuntimeErrorType type;
    private final transient Throwable reported;

    /** @param reported the throwable whose class and trace the report shows (the user's, when unwrapped) */
    InitFailure(RuntimeErrorType type, String message, Throwable reported) {
        super(message, reported);
        this.type = type;
        this.reported = reported;
    }

    RuntimeErrorType type() {
        return type;
    }

    ErrorReport report() {
        return ErrorReport.of(reported, getMessage());
    }
}
