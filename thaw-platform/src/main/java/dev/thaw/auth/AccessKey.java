package dev.thaw.auth;

/** One accepted access key: its id and the secret both sides sign with. */
public record AccessKey(String id, String secret) {
    @Override
    public String toString() {
        return "AccessKey[" + id + "]";  // never the secret, in a log or a failed assertion
    }
}
