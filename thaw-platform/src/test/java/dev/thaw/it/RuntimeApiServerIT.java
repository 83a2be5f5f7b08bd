package dev.thaw.it;

import dev.thaw.contract.RuntimeContract;
import dev.thaw.network.EnvironmentNetwork;
import dev.thaw.network.EnvironmentNetworks;
import dev.thaw.network.FunctionNetworkMode;
import dev.thaw.runtimeapi.CredentialsEndpoint;
import dev.thaw.runtimeapi.Invocation;
import dev.thaw.runtimeapi.InvocationChannel;
import dev.thaw.runtimeapi.RuntimeApiServer;
import dev.thaw.runtimeapi.RuntimeOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One environment's Runtime API server in a network namespace of its own, called by curl run inside that namespace,
 * as a runtime calls it.
 */
class RuntimeApiServerIT {
    private static final String API = "http://" + RuntimeApiServer.ADDRESS + RuntimeContract.RUNTIME_API_BASE;

    private final String group = "thawapiit" + ThreadLocalRandom.current().nextInt(1 << 20);
    private final InvocationChannel channel = new InvocationChannel();
    private EnvironmentNetworks networks;
    private EnvironmentNetwork network;
    private RuntimeApiServer server;

    @BeforeEach
    void start() throws Exception {
        networks = EnvironmentNetworks.prepare(group, FunctionNetworkMode.NONE);
        network = networks.open("api1");
        CredentialsEndpoint credentials = authorization -> "Bearer right".equals(authorization)
                ? new CredentialsEndpoint.Reply(200, "{\"AccessKeyId\":\"AKID\"}".getBytes(StandardCharsets.UTF_8))
                : new CredentialsEndpoint.Reply(401, "{\"message\":\"no\"}".getBytes(StandardCharsets.UTF_8));
        server = network.bind(() -> RuntimeApiServer.bind(channel, credentials)).start();
    }

    /** Also after a failed start: closing the networks deletes every namespace of their group. */
    @AfterEach
    void stop() {
        channel.close(new IllegalStateException("test over"));
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (networks != null) {
                networks.close();
            }
        }
    }

    @Test
    void aWaitingNextGetsTheSubmittedInvocationAndItsResponseCompletesIt() throws Exception {
        CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> curl("-i", API + "/invocation/next"));
        Invocation invocation = invocation("req-1", "{\"a\":1}");
        channel.submit(invocation);
        String answer = next.get(10, TimeUnit.SECONDS);
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        String headers = answer.toLowerCase(Locale.ROOT); // header names are case-insensitive
        assertTrue(headers.contains("lambda-runtime-aws-request-id: req-1"), answer);
        assertTrue(headers.contains("lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:"
                + "function:f"), answer);
        assertTrue(answer.endsWith("{\"a\":1}"), answer);

        assertEquals("202", curl("-o", "/dev/null", "-w", "%{http_code}", "-d", "{\"ok\":true}",
                API + "/invocation/req-1/response"));
        RuntimeOutcome outcome = invocation.outcome().get(5, TimeUnit.SECONDS);
        assertArrayEquals("{\"ok\":true}".getBytes(StandardCharsets.UTF_8),
                assertInstanceOf(RuntimeOutcome.Response.class, outcome).body());
    }

    @Test
    void anErrorCarriesItsTypeAndAnAnswerForAnotherRequestIsAnInvalidStateTransition() throws Exception {
        Invocation invocation = invocation("req-2", "{}");
        channel.submit(invocation);
        curl(API + "/invocation/next");

        String refused = curl("-i", "-d", "{}", API + "/invocation/other/response");
        assertTrue(refused.startsWith("HTTP/1.1 403"), refused);
        assertTrue(refused.contains("\"errorType\":\"InvalidStateTransition\""), refused);

        assertEquals("202", curl("-o", "/dev/null", "-w", "%{http_code}", "-H",
                "Lambda-Runtime-Function-Error-Type: Runtime.Boom", "-d", "{\"errorMessage\":\"boom\"}",
                API + "/invocation/req-2/error"));
        RuntimeOutcome.Error error = assertInstanceOf(RuntimeOutcome.Error.class,
                invocation.outcome().get(5, TimeUnit.SECONDS));
        assertEquals("Runtime.Boom", error.errorType());
    }

    @Test
    void aResponseOverSixMegabytesFailsTheInvocationWith413AndTheServerServesOn(@TempDir Path dir)
            throws Exception {
        Invocation invocation = invocation("req-3", "{}");
        channel.submit(invocation);
        curl(API + "/invocation/next");
        Path large = dir.resolve("large.json");
        Files.write(large, new byte[(int) InvocationChannel.MAX_RESPONSE_BYTES + 1000]);

        // curl asks for 100 Continue before sending a body this large; the second call follows the 413.
        String codes = curl("-o", "/dev/null", "-w", "%{http_code}\n", "--data-binary", "@" + large,
                API + "/invocation/req-3/response",
                "--next", "-s", "-o", "/dev/null", "-w", "%{http_code}\n", API + "/nothing/here");
        assertEquals("413\n404\n", codes);
        assertInstanceOf(RuntimeOutcome.ResponseTooLarge.class, invocation.outcome().get(5, TimeUnit.SECONDS));
    }

    @Test
    void theCheckpointCallIsAnsweredOnAConnectionThatCloses() throws Exception {
        String answer = curl("-i", "-d", "{\"primed\":0}", API + "/thaw/checkpoint");
        assertTrue(answer.startsWith("HTTP/1.1 202"), answer);
        assertTrue(answer.toLowerCase(Locale.ROOT).contains("connection: close"), answer);
        assertTrue(channel.checkpointRequested().isDone());
        assertEquals("{\"primed\":0}", new String(channel.checkpointSummary(), StandardCharsets.UTF_8));
    }

    @Test
    void theCredentialsEndpointAnswersWhatItsEndpointDecidesForTheAuthorizationSent() {
        String url = "http://" + RuntimeApiServer.ADDRESS + CredentialsEndpoint.PATH;
        assertEquals("{\"AccessKeyId\":\"AKID\"} 200",
                curl("-w", " %{http_code}", "-H", "Authorization: Bearer right", url));
        assertEquals("{\"message\":\"no\"} 401",
                curl("-w", " %{http_code}", "-H", "Authorization: Bearer wrong", url));
    }

    @Test
    void anUnknownCallGetsATyped404() {
        String answer = curl("-i", API + "/invocation");
        assertTrue(answer.startsWith("HTTP/1.1 404"), answer);
        assertTrue(answer.contains("\"errorType\":\"UnknownPath\""), answer);
    }

    private static Invocation invocation(String id, String payload) {
        return new Invocation(id, payload.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis() + 60_000,
                "arn:aws:lambda:us-east-1:123456789012:function:f", "Root=1-0-0", Optional.empty(), Optional.empty(),
                new CompletableFuture<>());
    }

    /** Runs curl inside the namespace; returns what it printed. */
    private String curl(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", network.name(), "curl", "-s",
                "--max-time", "20"));
        command.addAll(List.of(args));
        Process p = null;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            return out.replace("\r\n", "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }
}
