package dev.thaw.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogStreamsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.cloudwatchlogs.model.OrderBy;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Functions' logs through the CloudWatch Logs API: the SDK's CloudWatchLogsClient and the AWS CLI's {@code aws logs}
 * commands, unchanged, against a real server. One stream per environment, named as Lambda names them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class LogsApiIT {
    private static final Path AWS = Path.of("/usr/bin/aws");
    private static final Pattern STREAM_NAME = Pattern.compile("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST\\][0-9a-f]{32}");
    private static final String GROUP = "/aws/lambda/logged";
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;
    private CloudWatchLogsClient logs;
    private Path work;

    @BeforeAll
    void deployAndInvokeInTwoEnvironments() throws Exception {
        work = Files.createTempDirectory("thaw-logs-it-");
        logs = CloudWatchLogsClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        Fixtures.createHello(lambda, "logged", java.util.Map.of());
        greet("first");
        greet("second");
        assertEquals(1, server.evictIdle());
        greet("third");
    }

    @AfterAll
    void cleanUp() throws IOException {
        logs.close();
        try (var paths = Files.walk(work)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void greet(String name) {
        lambda.invoke(b -> b.functionName("logged").payload(SdkBytes.fromUtf8String("{\"name\":\"" + name + "\"}")));
    }

    @Test
    void theSdkListsOneStreamPerEnvironmentNamedAsLambdaNamesThem() {
        assertTrue(logs.describeLogGroups(b -> b.logGroupNamePrefix("/aws/lambda/log")).logGroups().stream()
                .anyMatch(g -> g.logGroupName().equals(GROUP) && g.storedBytes() > 0));
        DescribeLogStreamsResponse streams = logs.describeLogStreams(b -> b.logGroupName(GROUP)
                .orderBy(OrderBy.LAST_EVENT_TIME).descending(true));
        assertEquals(2, streams.logStreams().size(), streams.toString());
        for (LogStream s : streams.logStreams()) {
            assertTrue(STREAM_NAME.matcher(s.logStreamName()).matches(), s.logStreamName());
            assertTrue(s.firstEventTimestamp() <= s.lastEventTimestamp());
        }
        assertTrue(streams.logStreams().get(0).lastEventTimestamp() >= streams.logStreams().get(1).lastEventTimestamp());
        List<String> byName = logs.describeLogStreamsPaginator(b -> b.logGroupName(GROUP).limit(1)).logStreams()
                .stream().map(LogStream::logStreamName).toList();
        assertEquals(streams.logStreams().stream().map(LogStream::logStreamName).sorted().toList(), byName);
    }

    @Test
    void theSdkReadsAStreamFromTheHeadAndPagesForward() {
        String newest = logs.describeLogStreams(b -> b.logGroupName(GROUP).orderBy(OrderBy.LAST_EVENT_TIME)
                .descending(true)).logStreams().get(0).logStreamName();
        GetLogEventsResponse all = logs.getLogEvents(b -> b.logGroupName(GROUP).logStreamName(newest)
                .startFromHead(true));
        List<String> messages = all.events().stream().map(OutputLogEvent::message).toList();
        assertTrue(messages.get(0).startsWith("INIT_START"), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("greeting third")), messages.toString());
        assertTrue(messages.getLast().startsWith("REPORT RequestId: "), messages.toString());

        List<String> paged = new ArrayList<>();
        String token = null;
        for (int page = 0; page < 50; page++) {
            String t = token;
            GetLogEventsResponse r = logs.getLogEvents(b -> b.logGroupName(GROUP).logStreamName(newest)
                    .startFromHead(true).limit(2).nextToken(t));
            r.events().forEach(e -> paged.add(e.message()));
            if (r.nextForwardToken().equals(token)) {
                break;
            }
            token = r.nextForwardToken();
        }
        assertEquals(messages, paged);
    }

    @Test
    void theSdkFiltersEventsByPatternAcrossStreams() {
        List<FilteredLogEvent> greetings = new ArrayList<>();
        logs.filterLogEventsPaginator(b -> b.logGroupName(GROUP).filterPattern("greeting").limit(1))
                .forEach(r -> greetings.addAll(r.events()));
        // In time order across both streams (the follow test may have added a later greeting).
        assertEquals(List.of("first", "second", "third"), greetings.stream()
                .map(e -> e.message().replaceAll(".*greeting (\\w+).*", "$1")).toList().subList(0, 3));
        assertEquals(2, greetings.subList(0, 3).stream().map(FilteredLogEvent::logStreamName).distinct().count());
        assertEquals(greetings.size(), greetings.stream().map(FilteredLogEvent::eventId).distinct().count());

        List<FilteredLogEvent> either = logs.filterLogEvents(b -> b.logGroupName(GROUP)
                .filterPattern("?\"greeting first\" ?\"greeting third\"")).events();
        assertEquals(2, either.size(), either.toString());
        List<FilteredLogEvent> reportsWithoutInit = logs.filterLogEvents(b -> b.logGroupName(GROUP)
                .filterPattern("REPORT -\"Init Duration\"")).events();
        int reports = logs.filterLogEvents(b -> b.logGroupName(GROUP).filterPattern("REPORT")).events().size();
        // Each of the two environments' first REPORT has an Init Duration; the warm ones do not.
        assertEquals(reports - 2, reportsWithoutInit.size(), reportsWithoutInit.toString());
        assertTrue(reportsWithoutInit.stream().noneMatch(e -> e.message().contains("Init Duration")));
    }

    @Test
    void errorsHaveAwsShapeAndTheServerKeepsServing() {
        ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class,
                () -> logs.describeLogStreams(b -> b.logGroupName("/aws/lambda/never-deployed")));
        assertEquals("The specified log group does not exist.", missing.awsErrorDetails().errorMessage());
        assertThrows(ResourceNotFoundException.class, () -> logs.getLogEvents(b -> b.logGroupName(GROUP)
                .logStreamName("2026/12/01/[$LATEST]00000000000000000000000000000000")));
        assertThrows(ResourceNotFoundException.class, () -> logs.filterLogEvents(b -> b.logGroupName("/not/lambda")));
        assertThrows(InvalidParameterException.class, () -> logs.filterLogEvents(b -> b.logGroupName(GROUP)
                .filterPattern("{ $.level = \"ERROR\" }")));
        assertThrows(InvalidParameterException.class, () -> logs.describeLogStreams(b -> b.logGroupName(GROUP)
                .limit(51)));
        var unknown = server.http("POST", "/", "{}", "X-Amz-Target", "Logs_20140328.PutLogEvents",
                "Content-Type", "application/x-amz-json-1.1");
        assertEquals("UnknownOperationException", unknown.headers().firstValue("x-amzn-ErrorType").orElseThrow());
        assertFalse(logs.describeLogGroups().logGroups().isEmpty());
    }

    @Test
    void theCliFiltersAndTailsAFunctionsLines() throws Exception {
        String filtered = aws("logs", "filter-log-events", "--log-group-name", GROUP, "--filter-pattern", "greeting",
                "--query", "events[].message", "--output", "text");
        assertTrue(filtered.contains("greeting first") && filtered.contains("greeting third"), filtered);

        String tail = aws("logs", "tail", GROUP, "--since", "1h");
        assertTrue(Pattern.compile("(?m)^\\S+ " + STREAM_NAME.pattern() + " START RequestId: ").matcher(tail).find(),
                tail);
        assertTrue(tail.contains("greeting second"), tail);
    }

    @Test
    void theCliFollowsNewLinesAsTheyArrive() throws Exception {
        Path out = work.resolve("follow.log");
        Process follow = awsProcess(out, "logs", "tail", GROUP, "--follow", "--since", "1h");
        try {
            awaitContent(out, "greeting first", 30);
            greet("followed");
            awaitContent(out, "greeting followed", 30);
            String text = Files.readString(out);
            assertEquals(1, text.split("greeting followed", -1).length - 1, "each line once: " + text);
        } finally {
            follow.destroy();
            if (!follow.waitFor(10, TimeUnit.SECONDS)) {
                follow.destroyForcibly().waitFor();
            }
        }
    }

    private static void awaitContent(Path file, String expected, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readString(file).contains(expected)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("aws logs tail --follow never printed " + expected + ":\n"
                + (Files.exists(file) ? Files.readString(file) : "(nothing)"));
    }

    private String aws(String... args) throws Exception {
        Path out = work.resolve("aws-" + System.nanoTime() + ".log");
        Process p = awsProcess(out, args);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "aws " + String.join(" ", args) + " did not finish");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "aws " + String.join(" ", args) + ":\n" + text);
        return text;
    }

    private Process awsProcess(Path out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(AWS.toString(), "--endpoint-url", server.endpoint().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("AWS_ACCESS_KEY_ID", "test");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "test");
        pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        pb.environment().put("AWS_PAGER", "");
        pb.environment().put("AWS_CONFIG_FILE", work.resolve("none").toString());
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("none").toString());
        return pb.start();
    }
}
