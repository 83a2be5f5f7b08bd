package dev.thaw.environments;

import dev.thaw.network.EnvironmentNetwork;
import dev.thaw.network.EnvironmentNetworks;
import dev.thaw.runtimeapi.CredentialsEndpoint;
import dev.thaw.runtimeapi.InvocationChannel;
import dev.thaw.runtimeapi.RuntimeApiServer;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Runtime API endpoints, each in a network namespace of its own, with a few made in advance and replenished in the
 * background, so that a cold start (a restore above all) makes no namespace and starts no server on its path.
 */
final class RuntimeApiEndpoints implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RuntimeApiEndpoints.class.getName());
    /** Endpoints kept started for the next cold starts. */
    private static final int SPARES = 2;
    private final EnvironmentNetworks networks;
    private final CredentialsEndpoint credentials;
    private final ConcurrentLinkedQueue<RuntimeApiEndpoint> spares = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean replenishing = new AtomicBoolean();
    private volatile boolean closed;

    RuntimeApiEndpoints(EnvironmentNetworks networks, CredentialsEndpoint credentials) {
        this.networks = networks;
        this.credentials = credentials;
    }

    /** A ready endpoint: a spare when there is one, else one started now. */
    RuntimeApiEndpoint open() {
        RuntimeApiEndpoint spare = spares.poll();
        replenish();
        return spare != null ? spare : start();
    }

    private RuntimeApiEndpoint start() {
        String id = Environment.newId();
        EnvironmentNetwork network;
        try {
            network = networks.open(id);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the environment's network: " + e.getMessage(), e);
        }
        try {
            InvocationChannel channel = new InvocationChannel();
            RuntimeApiServer server = network.bind(() -> RuntimeApiServer.bind(channel, credentials));
            return new RuntimeApiEndpoint(id, channel, server.start(), network);
        } catch (Exception e) {
            network.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
    }

    private void replenish() {
        if (closed || !replenishing.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("runtime-api-spares").start(() -> {
            try {
                while (!closed && spares.size() < SPARES) {
                    spares.add(start());
                }
            } catch (RuntimeException e) {
                LOG.warning(() -> "cannot start a spare Runtime API endpoint: " + e);
            } finally {
                replenishing.set(false);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        RuntimeApiEndpoint spare;
        while ((spare = spares.poll()) != null) {
            spare.close();
        }
    }
}
