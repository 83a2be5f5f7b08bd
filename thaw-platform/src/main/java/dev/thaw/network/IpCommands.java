package dev.thaw.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs iproute2's {@code ip} and nftables' {@code nft}, feeding a batch of commands on stdin where it can. */
final class IpCommands {
    private static final long LIMIT_MS = 10_000;

    private IpCommands() {
    }

    /** {@code ip [-n namespace] -batch -} with {@code lines}, one command each. */
    static void ipBatch(String namespace, List<String> lines) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip"));
        if (namespace != null) {
            command.addAll(List.of("-n", namespace));
        }
        command.addAll(List.of("-batch", "-"));
        run(command, String.join("\n", lines) + "\n");
    }

    static void ip(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        run(command, null);
    }

    /** {@code nft -f -} with {@code script}. */
    static void nft(String script) throws IOException {
        run(List.of("nft", "-f", "-"), script);
    }

    /** Runs {@code command}; its combined output is the message of the IOException thrown when it fails. */
    static String run(List<String> command, String stdin) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + command.getFirst() + " (install iproute2 and nftables; "
                    + "scripts/setup.sh does): " + e.getMessage(), e);
        }
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (!p.waitFor(LIMIT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
