package dev.thaw.runtime.crac;

/** Checkpoint notification failed; the resources' exceptions are suppressed by this one. */
public class CheckpointException extends Exception {

    private static final long serialVersionUID = 1L;

    public CheckpointException() {
        super();
    }

    public CheckpointException(String message) {
        super(message);
    }
}
