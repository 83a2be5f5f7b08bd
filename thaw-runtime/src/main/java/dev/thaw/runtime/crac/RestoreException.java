package dev.thaw.runtime.crac;

/** Restore notification failed; the resources' exceptions are suppressed by this one. */
public class RestoreException extends Exception {

    private static final long serialVersionUID = 1L;

    public RestoreException() {
        super();
    }

    public RestoreException(String message) {
        super(message);
    }
}
