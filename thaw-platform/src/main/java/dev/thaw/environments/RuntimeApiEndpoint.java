package dev.thaw.environments;

import dev.thaw.runtimeapi.InvocationChannel;
import dev.thaw.runtimeapi.RuntimeApiServer;

/** A started Runtime API server and its channel, with the environment id it was made for and its port's release. */
public record RuntimeApiEndpoint(String environmentId, InvocationChannel channel, RuntimeApiServer server,
                                 Runnable releasePort) {
    /** Stops the server and gives its port back. */
    public void close() {
        server.close();
        releasePort.run();
    }
}
