package dev.thaw.runtimeapi;

/**
 * The container credentials endpoint an environment's {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} names, served on
 * its Runtime API server: the answer to a {@code GET} carrying {@code Authorization}.
 */
@FunctionalInterface
public interface CredentialsEndpoint {
    /** The path under which the Runtime API server serves it. */
    String PATH = "/2021-04-23/credentials";

    Reply answer(String authorization);

    /** A status and a JSON body (credentials, or an error as {@link ErrorBody} writes them). */
    record Reply(int status, byte[] body) {
    }
}
