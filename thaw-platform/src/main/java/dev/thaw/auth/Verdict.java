package dev.thaw.auth;

/** What the signature check decided: the request's key, or why it is refused with the message AWS gives. */
public sealed interface Verdict {
    record Accepted(AccessKey key) implements Verdict {
    }

    record Refused(Refusal refusal, String message) implements Verdict {
    }

    /** Each kind of refusal becomes one of AWS's error types at the edge. */
    enum Refusal {
        /** No Authorization header and no presigned query. */
        MISSING,
        /** A signature whose parts cannot be read. */
        INCOMPLETE,
        /** A key id the server does not know. */
        UNKNOWN_KEY,
        /** A signature that does not match, or is out of its time window, or scoped to another region or service. */
        INVALID
    }
}
