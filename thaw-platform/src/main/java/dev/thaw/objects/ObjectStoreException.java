package dev.thaw.objects;

/** The object store could not be read or written; what was asked and why are in the message. */
public final class ObjectStoreException extends RuntimeException {
    public ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
