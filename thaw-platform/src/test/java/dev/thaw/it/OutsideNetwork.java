package dev.thaw.it;

import dev.thaw.network.NamespaceThread;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the outside network: a network namespace this test makes, linked to the host by a veth pair of its
 * own (host 10.250.N.1, outside 10.250.N.2), with a line-echo server listening inside on {@link #address()}:
 * {@link #echoPort()}. The host routes to it like to any other network, so functions reach it only through the
 * platform's egress. {@link #close()} deletes the namespace, which takes the link with it.
 */
final class OutsideNetwork implements AutoCloseable {
    private final String name;
    private final String address;
    private final ServerSocket echo;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    private OutsideNetwork(String name, String address, ServerSocket echo) {
        this.name = name;
        this.address = address;
        this.echo = echo;
    }

    static OutsideNetwork create() throws Exception {
        int n = ThreadLocalRandom.current().nextInt(1 << 14);
        String name = "thaw-test-outside-" + n;
        String link = "tto" + n;
        int offset = n * 4;
        String prefix = "10.250." + (offset >> 8) + ".";
        String host = prefix + ((offset & 0xff) + 1);
        String outside = prefix + ((offset & 0xff) + 2);
        run("ip", "netns", "add", name);
        try {
            run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", name);
            run("ip", "addr", "add", host + "/30", "dev", link);
            run("ip", "link", "set", link, "up");
            run("ip", "-n", name, "link", "set", "lo", "up");
            run("ip", "-n", name, "addr", "add", outside + "/30", "dev", "eth0");
            run("ip", "-n", name, "link", "set", "eth0", "up");
            NamespaceThread binder = new NamespaceThread();
            ServerSocket echo;
            try {
                echo = binder.call(Path.of("/run/netns", name), () -> {
                    ServerSocket s = new ServerSocket();
                    s.bind(new InetSocketAddress(InetAddress.getByName(outside), 0), 50);
                    return s;
                });
            } finally {
                binder.close();
            }
            OutsideNetwork network = new OutsideNetwork(name, outside, echo);
            network.threads.submit(network::serveEcho);
            return network;
        } catch (Exception e) {
            run("ip", "netns", "delete", name);
            throw e;
        }
    }

    /** The echo server's address, on the outside network. */
    String address() {
        return address;
    }

    int echoPort() {
        return echo.getLocalPort();
    }

    private void serveEcho() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                threads.submit(() -> {
                    try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream()));
                         PrintWriter out = new PrintWriter(s.getOutputStream(), true)) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            out.println(line);
                        }
                    } catch (IOException ignored) {
                        // the client went away
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() throws Exception {
        echo.close();
        threads.shutdownNow();
        run("ip", "netns", "delete", name);
    }
}
