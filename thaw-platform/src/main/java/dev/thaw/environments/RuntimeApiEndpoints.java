package dev.thaw.environments;

import dev.thaw.runtimeapi.InvocationChannel;
import dev.thaw.runtimeapi.RuntimeApiServer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Runtime API endpoints on ports of the configured range, with a few started in advance and replenished in the
 * background, so that a cold start (a restore above all) does not start a server on its path.
 */
final class RuntimeApiEndpoints implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RuntimeApiEndpoints.class.getName());
    /** Endpoints kept started for the next cold starts. */
    private static final int SPARES = 2;
    /** Ports taken by something else between the allocator's check and the bind, skipped before giving up. */
    private static final int BIND_ATTEMPTS = 5;

    private final PortAllocator ports;
    private final ConcurrentLinkedQueue<RuntimeApiEndpoint> spares = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean replenishing = new AtomicBoolean();
    private volatile boolean closed;

    RuntimeApiEndpoints(PortAllocator ports) {
        this.ports = ports;
    }

    /** A ready endpoint: a spare when there is one, else one started now. */
    RuntimeApiEndpoint open() {
        RuntimeApiEndpoint spare = spares.poll();
        replenish();
        return spare != null ? spare : start();
    }

    private RuntimeApiEndpoint start() {
        RuntimeException last = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            int port = ports.allocate();
            InvocationChannel channel = new InvocationChannel();
            try {
                return new RuntimeApiEndpoint(Environment.newId(), channel, RuntimeApiServer.start(channel, port),
                        () -> ports.release(port));
            } catch (RuntimeException e) {
                ports.release(port);
                last = e;
            }
        }
        throw last;
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
