package dev.thaw.environments;

import dev.thaw.network.EnvironmentNetwork;
import dev.thaw.runtimeapi.InvocationChannel;
import dev.thaw.runtimeapi.RuntimeApiServer;

/**
 * A Runtime API server listening inside its environment's network namespace, with its channel and the environment
 * id both were made for.
 */
public record RuntimeApiEndpoint(String environmentId, InvocationChannel channel, RuntimeApiServer server,
                                 EnvironmentNetwork network) {
    /** Stops the server and deletes the namespace. */
    public void close() {
        try {
            server.close();
        } finally {
            network.close();
        }
    }
}
