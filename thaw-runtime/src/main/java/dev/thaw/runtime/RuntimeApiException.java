package dev.thaw.runtime;

import java.io.IOException;

/** The Runtime API answered with a status other than 2xx. A 500 means the runtime must exit. */
final class RuntimeApiException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;

    RuntimeApiException(String call, int status, String body) {
        super(call + " returned HTTP " + status + (body.isBlank() ? "" : ": " + body));
        this.status = status;
    }

    int status() {
        return status;
    }

    boolean mustExit() {
        return status >= 500;
    }
}
