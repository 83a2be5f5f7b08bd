package dev.thaw.api;

import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections that hold a descriptor without making progress between requests: one that sent a request
 * line and then stopped in its headers, which Helidon waits on for ever (its idle timeout only interrupts a wait for
 * the next request line). Every accepted connection is known here by its peer address; a request that reaches the
 * routing marks it busy until its handler returns. A connection that has been neither busy nor closed for the idle
 * timeout plus the read timeout is closed: an idle one Helidon would have closed by then, so what is left is stuck.
 * Bodies are {@link BodyReader}'s, which runs inside the handler.
 */
final class ConnectionWatch implements SocketOptions, Filter, AutoCloseable {
    private final SocketOptions defaults = SocketOptions.create();
    private final long stuckNanos;
    private final Map<SocketAddress, Connection> connections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("api-connection-watch").factory());

    ConnectionWatch(ListenerLimits limits) {
        this.stuckNanos = limits.idleTimeout().plus(limits.readTimeout()).toNanos();
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    /** A connection the listener accepted: when it last did something, and how many of its requests run. */
    private static final class Connection {
        final SocketChannel channel;
        volatile long lastProgress = System.nanoTime();
        volatile int busy;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    @Override
    public void configureSocket(SocketChannel socket) {
        defaults.configureSocket(socket);
        try {
            connections.put(socket.getRemoteAddress(), new Connection(socket));
        } catch (IOException closedAlready) {
            // nothing to watch
        }
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Connection c = connections.get(req.remotePeer().address());
        if (c == null) {
            chain.proceed();
            return;
        }
        synchronized (c) {
            c.busy++;
        }
        try {
            chain.proceed();
        } finally {
            synchronized (c) {
                c.busy--;
                c.lastProgress = System.nanoTime();
            }
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        connections.values().removeIf(c -> {
            if (!c.channel.isOpen()) {
                return true;
            }
            synchronized (c) {
                if (c.busy > 0 || now - c.lastProgress < stuckNanos) {
                    return false;
                }
            }
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // closed either way
            }
            return true;
        });
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    // The listener's socket options are Helidon's defaults; this type only adds the registration above.

    @Override
    public Map<SocketOption<?>, Object> socketOptions() {
        return defaults.socketOptions();
    }

    @Override
    public Duration connectTimeout() {
        return defaults.connectTimeout();
    }

    @Override
    public Duration readTimeout() {
        return defaults.readTimeout();
    }

    @Override
    public Optional<Integer> socketReceiveBufferSize() {
        return defaults.socketReceiveBufferSize();
    }

    @Override
    public Optional<Integer> socketSendBufferSize() {
        return defaults.socketSendBufferSize();
    }

    @Override
    public boolean socketReuseAddress() {
        return defaults.socketReuseAddress();
    }

    @Override
    public boolean socketKeepAlive() {
        return defaults.socketKeepAlive();
    }

    @Override
    public boolean tcpNoDelay() {
        return defaults.tcpNoDelay();
    }
}
