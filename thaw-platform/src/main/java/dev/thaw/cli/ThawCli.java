package dev.thaw.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code thaw} launcher. */
@Command(name = "thaw", mixinStandardHelpOptions = true, version = "thaw 0.1.0",
        description = "Self-hosted AWS Lambda for Java, with snapshot-restored cold starts.",
        subcommands = {ServerCommand.class, WorkerCommand.class, DeployCommand.class, InvokeCommand.class, LsCommand.class,
                LogsCommand.class, EventsCommand.class, DemoCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class ThawCli {
    public static void main(String[] args) {
        // Virtual threads blocked on sockets (every Helidon connection) are woken by poller threads. The JDK's
        // default hands each wake-up through a virtual-thread sub-poller, one more scheduling hop per request;
        // pollers on their own platform threads cut about 0.2 ms off a warm invoke on two cores. Must be set
        // before the first blocking socket operation of a virtual thread.
        if (System.getProperty("jdk.pollerMode") == null) {
            System.setProperty("jdk.pollerMode", "1");
        }
        // The pollers are made when their class is first initialised. Left to a request, that may happen while the
        // process has run out of descriptors, and then every blocking socket call of a virtual thread fails for the
        // rest of the JVM's life (NoClassDefFoundError). So they are made now.
        try {
            Class.forName("sun.nio.ch.Poller", true, ClassLoader.getPlatformClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // another JDK: its virtual threads poll some other way
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        int code = new CommandLine(new ThawCli()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(ThawCli::apiError).execute(args);
        if (code != 0 || !(ServerCommand.running() || WorkerCommand.running())) {
            System.out.flush();
            System.exit(code);
        }
    }

    /** An error the API answered is the user's to read, not a stack trace: "thaw: ResourceNotFoundException: ...". */
    private static int apiError(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
        if (!(e instanceof ApiClient.ApiError error)) {
            throw e;
        }
        cli.getErr().println("thaw: " + error.getMessage());
        return 1;
    }
}
