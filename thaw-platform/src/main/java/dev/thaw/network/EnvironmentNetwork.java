package dev.thaw.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/**
 * One environment's network namespace, named {@code name} under {@code /run/netns} (so {@code ip netns} shows it),
 * with its loopback up and, unless the mode is {@link FunctionNetworkMode#NONE}, a veth link to the host.
 */
public final class EnvironmentNetwork implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EnvironmentNetwork.class.getName());
    static final Path NAMESPACES = Path.of("/run/netns");

    private final String name;
    private final NamespaceThread thread;
    /** Null in {@link FunctionNetworkMode#NONE}. */
    private final VethLink link;
    private volatile boolean closed;

    EnvironmentNetwork(String name, NamespaceThread thread, VethLink link) {
        this.name = name;
        this.thread = thread;
        this.link = link;
    }

    /** The namespace's name ({@code ip netns exec NAME ...}). */
    public String name() {
        return name;
    }

    /** The file that names the namespace: what {@code nsenter --net=} and CRIU's inherited descriptor open. */
    public Path file() {
        return NAMESPACES.resolve(name);
    }

    /** The namespace's identity, as {@code /proc/PID/ns/net} of a process inside shows it ({@code net:[INODE]}). */
    public long inode() throws IOException {
        return ((Number) Files.getAttribute(file(), "unix:ino")).longValue();
    }

    /** The address the environment's side of the veth link has, or null without one. */
    public String address() {
        return link == null ? null : link.environmentAddress();
    }

    /**
     * Runs {@code task} in this namespace on a platform thread: a socket it binds belongs to the namespace and can
     * be served from any thread afterwards.
     */
    public <T> T bind(Callable<T> task) throws Exception {
        return thread.call(file(), task);
    }

    /** Deletes the namespace; its veth link goes with it once no process is left inside. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            IpCommands.ip("netns", "delete", name);
        } catch (IOException e) {
            LOG.warning("cannot delete network namespace " + name + ": " + e.getMessage());
        }
    }
}
