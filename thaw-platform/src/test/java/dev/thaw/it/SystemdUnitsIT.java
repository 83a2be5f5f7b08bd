package dev.thaw.it;

import dev.thaw.cli.ThawCli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample unit files under deploy/systemd: the API tier's command line parsed by the real {@code thaw server}
 * options, and every variable the units expand shown in docs/deploy.md's environment files.
 */
class SystemdUnitsIT {
    private static final Path UNITS = ThawServerProcess.REPO.resolve("deploy/systemd");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");

    /** The unit's ExecStart= line, its continuation lines joined. */
    private static String execStart(String unit) throws IOException {
        String joined = Files.readString(UNITS.resolve(unit)).replace("\\\n", " ");
        return joined.lines().filter(l -> l.startsWith("ExecStart=")).findFirst()
                .orElseThrow(() -> new AssertionError(unit + " has no ExecStart="))
                .substring("ExecStart=".length());
    }

    /** The VAR=value lines of the environment files docs/deploy.md shows (the first value of each). */
    private static java.util.Map<String, String> documentedValues() throws IOException {
        java.util.Map<String, String> values = new java.util.HashMap<>();
        Matcher m = Pattern.compile("(?m)^([A-Z_][A-Z0-9_]*)=(\\S+)$")
                .matcher(Files.readString(ThawServerProcess.REPO.resolve("docs/deploy.md")));
        while (m.find()) {
            values.putIfAbsent(m.group(1), m.group(2));
        }
        return values;
    }

    /** The words after the platform jar, with ${VAR} and %d replaced as systemd would, from the documented values. */
    private static List<String> thawArguments(String commandLine) throws IOException {
        java.util.Map<String, String> values = documentedValues();
        List<String> words = List.of(commandLine.trim().split("\\s+"));
        int jar = words.indexOf("/opt/thaw/thaw-platform.jar");
        assertTrue(jar > 0 && words.get(jar - 1).equals("-jar"), commandLine);
        List<String> out = new ArrayList<>();
        for (String w : words.subList(jar + 1, words.size())) {
            out.add(VARIABLE.matcher(w).replaceAll(m -> Matcher.quoteReplacement(values.getOrDefault(m.group(1), "sample")))
                    .replace("%d", "/run/credentials/thaw.service"));
        }
        return out;
    }

    @Test
    void theApiTierUnitPassesOnlyOptionsOfTheRealThawServerCommand() throws IOException {
        List<String> args = thawArguments(execStart("thaw-server.service"));
        assertEquals("server", args.getFirst());
        CommandLine thaw = new CommandLine(new ThawCli());
        thaw.setUnmatchedArgumentsAllowed(true);
        CommandLine.ParseResult server = thaw.parseArgs(args.toArray(String[]::new)).subcommand();
        assertEquals("server", server.commandSpec().name());
        assertEquals(List.of(), server.unmatched(), "arguments that `thaw server` does not take, in " + args);
        assertTrue(server.hasMatchedOption("--access-keys"), "listening beyond loopback needs access keys");
        assertTrue(server.hasMatchedOption("--home"), "its home is the unit's StateDirectory");
    }

    @Test
    void theWorkerUnitPassesOnlyOptionsOfTheRealThawWorkerCommand() throws IOException {
        List<String> args = thawArguments(execStart("thaw-worker.service"));
        assertEquals("worker", args.getFirst());
        CommandLine thaw = new CommandLine(new ThawCli());
        thaw.setUnmatchedArgumentsAllowed(true);
        CommandLine.ParseResult worker = thaw.parseArgs(args.toArray(String[]::new)).subcommand();
        assertEquals("worker", worker.commandSpec().name());
        assertEquals(List.of(), worker.unmatched(), "arguments that `thaw worker` does not take, in " + args);
        for (String option : List.of("--listen", "--cluster-token-file", "--snapshot-key-file", "--object-store")) {
            assertTrue(worker.hasMatchedOption(option), option);
        }
    }

    @Test
    void everyVariableTheUnitsExpandIsSetInTheEnvironmentFilesTheDocsShow() throws IOException {
        String docs = Files.readString(ThawServerProcess.REPO.resolve("docs/deploy.md"));
        Set<String> used = new TreeSet<>();
        for (String unit : List.of("thaw-server.service", "thaw-worker.service")) {
            Matcher m = VARIABLE.matcher(execStart(unit));
            while (m.find()) {
                used.add(m.group(1));
            }
        }
        assertTrue(used.size() >= 5, used.toString());
        for (String variable : used) {
            assertTrue(Pattern.compile("(?m)^" + variable + "=").matcher(docs).find(),
                    "docs/deploy.md shows no " + variable + "= line for the units' environment files");
        }
    }
}
