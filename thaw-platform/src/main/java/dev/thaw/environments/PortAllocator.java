package dev.thaw.environments;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.BitSet;

/** Hands out Runtime API ports from a configured loopback range, skipping ports something else holds. */
public final class PortAllocator {
    private final int first;
    private final int last;
    private final BitSet used = new BitSet();
    private int cursor;

    public PortAllocator(int first, int last) {
        if (first <= 0 || last < first || last > 65535) {
            throw new IllegalArgumentException("bad port range " + first + "-" + last);
        }
        this.first = first;
        this.last = last;
    }

    public synchronized int allocate() {
        int size = last - first + 1;
        for (int i = 0; i < size; i++) {
            int candidate = first + (cursor + i) % size;
            if (!used.get(candidate - first) && isFree(candidate)) {
                used.set(candidate - first);
                cursor = (candidate - first + 1) % size;
                return candidate;
            }
        }
        throw new IllegalStateException("no free Runtime API port in " + first + "-" + last);
    }

    public synchronized void release(int port) {
        if (port >= first && port <= last) {
            used.clear(port - first);
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
