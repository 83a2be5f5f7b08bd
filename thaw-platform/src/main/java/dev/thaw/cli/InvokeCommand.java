package dev.thaw.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code thaw invoke}: a synchronous invoke that prints the result (and, with --tail, the log tail). */
@Command(name = "invoke", description = "Invoke a function and print its result.")
final class InvokeCommand implements Callable<Integer> {
    @Mixin
    EndpointOption endpoint;

    @Parameters(index = "0", description = "Function name or ARN.")
    String name;

    @Parameters(index = "1", arity = "0..1", description = "JSON payload (default: {}).")
    String payload;

    @Option(names = "--file", description = "Read the payload from a file.")
    Path file;

    @Option(names = {"-q", "--qualifier"}, description = "Version or alias.")
    String qualifier;

    @Option(names = "--tail", description = "Also print the invocation's log tail.")
    boolean tail;

    @Override
    public Integer call() throws Exception {
        byte[] body = file != null ? Files.readAllBytes(file)
                : (payload != null ? payload : "{}").getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        if (tail) {
            headers.put("X-Amz-Log-Type", "Tail");
        }
        String path = "/2015-03-31/functions/" + ApiClient.encode(name) + "/invocations"
                + (qualifier != null ? "?Qualifier=" + ApiClient.encode(qualifier) : "");
        long start = System.nanoTime();
        ApiClient.Response r = endpoint.client().send("POST", path, body, headers);
        double ms = (System.nanoTime() - start) / 1e6;
        System.out.println(new String(r.body(), StandardCharsets.UTF_8));
        String error = r.header("X-Amz-Function-Error");
        System.err.printf("version %s, %.1f ms%s%n", r.header("X-Amz-Executed-Version"), ms,
                error != null ? ", function error: " + error : "");
        if (tail && r.header("X-Amz-Log-Result") != null) {
            System.err.print(new String(Base64.getDecoder().decode(r.header("X-Amz-Log-Result")),
                    StandardCharsets.UTF_8));
        }
        return error == null ? 0 : 1;
    }
}
