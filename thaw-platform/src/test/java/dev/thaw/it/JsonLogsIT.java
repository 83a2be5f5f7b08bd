package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ApplicationLogLevel;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogFormat;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.LoggingConfig;
import software.amazon.awssdk.services.lambda.model.SystemLogLevel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code LoggingConfig} with {@code LogFormat: JSON}, through the SDK and the AWS CLI: LambdaLogger lines become
 * JSON objects filtered by ApplicationLogLevel, START/END/REPORT become platform.* records (dropped under
 * SystemLogLevel WARN), and the log tail, the CloudWatch Logs API and {@code thaw logs} show them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class JsonLogsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HANDLER = Fixtures.fixtureHandler("LeveledLogger");
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;
    private CloudWatchLogsClient logs;

    @BeforeAll
    void clients() {
        logs = CloudWatchLogsClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    void closeClients() {
        logs.close();
    }

    private static List<String> tail(InvokeResponse r) {
        String text = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    private static List<JsonNode> objects(List<String> lines, String field) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("{")) {
                JsonNode o = JSON.readTree(line);
                if (o.has(field)) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    private static List<String> messages(List<JsonNode> applicationLines) {
        return applicationLines.stream().map(o -> o.get("message").asText()).toList();
    }

    @Test
    void aJsonFunctionsTailHoldsItsApplicationLinesAsJsonAndThePlatformRecords() throws Exception {
        Fixtures.deploy(lambda, "json-logs", "test-functions", HANDLER, b -> b.timeout(30)
                .loggingConfig(l -> l.logFormat(LogFormat.JSON)));
        LoggingConfig stored = lambda.getFunctionConfiguration(b -> b.functionName("json-logs")).loggingConfig();
        assertEquals(LogFormat.JSON, stored.logFormat());
        assertEquals(ApplicationLogLevel.INFO, stored.applicationLogLevel(), "INFO unless set, as on Lambda");
        assertEquals(SystemLogLevel.INFO, stored.systemLogLevel());
        assertEquals("/aws/lambda/json-logs", stored.logGroup());
        assertEquals(stored, lambda.getFunction(b -> b.functionName("json-logs")).configuration().loggingConfig());

        InvokeResponse r = lambda.invoke(b -> b.functionName("json-logs").logType(LogType.TAIL));
        assertEquals("\"logged\"", r.payload().asUtf8String());
        List<String> lines = tail(r);
        String requestId = JSON.readTree(lines.getFirst()).at("/record/requestId").asText();

        List<JsonNode> application = objects(lines, "message");
        assertEquals(List.of("level-INFO", "level-WARN", "level-ERROR", "level-FATAL", "no-level"),
                messages(application), "TRACE and DEBUG are below INFO: " + lines);
        for (JsonNode o : application) {
            assertTrue(TIMESTAMP.matcher(o.get("timestamp").asText()).matches(), o.toString());
            assertEquals(requestId, o.get("AWSRequestId").asText(), o.toString());
        }
        assertEquals("WARN", application.get(1).get("level").asText());
        assertEquals("UNDEFINED", application.get(4).get("level").asText(), "a line logged without a level");
        assertTrue(lines.contains("stdout-line"), "System.out is written as it is: " + lines);

        List<JsonNode> platform = objects(lines, "type");
        assertEquals(List.of("platform.start", "platform.runtimeDone", "platform.report"),
                platform.stream().map(o -> o.get("type").asText()).toList(), lines.toString());
        assertTrue(lines.getFirst().contains("platform.start"), "the start record comes first: " + lines);
        assertTrue(lines.getLast().contains("platform.report"), "the report comes last: " + lines);
        for (JsonNode o : platform) {
            assertTrue(TIMESTAMP.matcher(o.get("time").asText()).matches(), o.toString());
            assertEquals(requestId, o.get("record").get("requestId").asText());
        }
        assertEquals("$LATEST", platform.get(0).get("record").get("version").asText());
        assertEquals("success", platform.get(1).get("record").get("status").asText());
        assertEquals(8, platform.get(1).get("record").get("metrics").get("producedBytes").asLong(), "\"logged\"");
        JsonNode report = platform.get(2).get("record");
        assertEquals("success", report.get("status").asText());
        JsonNode metrics = report.get("metrics");
        assertTrue(metrics.get("durationMs").asDouble() > 0);
        assertEquals((long) Math.ceil(metrics.get("durationMs").asDouble()), metrics.get("billedDurationMs").asLong());
        assertEquals(128, metrics.get("memorySizeMB").asInt());
        assertTrue(metrics.get("maxMemoryUsedMB").asLong() > 0);
        assertTrue(metrics.get("initDurationMs").asDouble() > 0, "a cold start's report carries INIT: " + report);
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("START ") || l.startsWith("END ")
                || l.startsWith("REPORT ")), "no Text platform lines: " + lines);

        List<JsonNode> warm = objects(tail(lambda.invoke(b -> b.functionName("json-logs").logType(LogType.TAIL))),
                "type");
        assertFalse(warm.get(2).get("record").get("metrics").has("initDurationMs"), "a warm invoke has no INIT");

        List<FilteredLogEvent> stored2 = logs.filterLogEvents(b -> b.logGroupName("/aws/lambda/json-logs")
                .filterPattern("platform.report")).events();
        assertEquals(2, stored2.size(), "the Logs API holds the JSON records: " + stored2);
        assertTrue(logs.filterLogEvents(b -> b.logGroupName("/aws/lambda/json-logs").filterPattern("level-FATAL"))
                .events().size() == 2);

        try (LocalCommand command = new LocalCommand("thaw-json-logs")) {
            assertEquals(0, command.runJar(2, "logs", "json-logs", "--endpoint-url", server.endpoint().toString()));
            String out = command.output();
            assertTrue(out.contains("\"type\":\"platform.start\"") && out.contains("\"message\":\"level-WARN\""),
                    out);
            assertFalse(out.contains("level-DEBUG"), out);
        }
        lambda.deleteFunction(b -> b.functionName("json-logs"));
    }

    @Test
    void levelsChangeWhatIsWrittenAndTextFormatComesBack() throws Exception {
        Fixtures.deploy(lambda, "json-levels", "test-functions", HANDLER, b -> b.timeout(30)
                .loggingConfig(l -> l.logFormat(LogFormat.JSON).applicationLogLevel(ApplicationLogLevel.ERROR)));
        List<String> lines = tail(lambda.invoke(b -> b.functionName("json-levels").logType(LogType.TAIL)));
        assertEquals(List.of("level-ERROR", "level-FATAL"), messages(objects(lines, "message")), lines.toString());

        var updated = lambda.updateFunctionConfiguration(b -> b.functionName("json-levels")
                .loggingConfig(l -> l.applicationLogLevel(ApplicationLogLevel.TRACE)
                        .systemLogLevel(SystemLogLevel.WARN)));
        assertEquals(LogFormat.JSON, updated.loggingConfig().logFormat(), "an update keeps what it leaves out");
        assertEquals(ApplicationLogLevel.TRACE, updated.loggingConfig().applicationLogLevel());
        lambda.waiter().waitUntilFunctionUpdatedV2(b -> b.functionName("json-levels"));
        lines = tail(lambda.invoke(b -> b.functionName("json-levels").logType(LogType.TAIL)));
        assertEquals(List.of("level-TRACE", "level-DEBUG", "level-INFO", "level-WARN", "level-ERROR", "level-FATAL",
                "no-level"), messages(objects(lines, "message")), lines.toString());
        assertTrue(objects(lines, "type").isEmpty(), "SystemLogLevel WARN drops the INFO records: " + lines);

        var text = lambda.updateFunctionConfiguration(b -> b.functionName("json-levels")
                .loggingConfig(l -> l.logFormat(LogFormat.TEXT)));
        assertEquals(LogFormat.TEXT, text.loggingConfig().logFormat());
        assertEquals(null, text.loggingConfig().applicationLogLevel(), "Text logs have no levels");
        lambda.waiter().waitUntilFunctionUpdatedV2(b -> b.functionName("json-levels"));
        lines = tail(lambda.invoke(b -> b.functionName("json-levels").logType(LogType.TAIL)));
        assertTrue(lines.getFirst().startsWith("START RequestId: "), lines.toString());
        assertTrue(lines.contains("[TRACE] level-TRACE") && lines.contains("no-level"), lines.toString());
        assertTrue(lines.getLast().startsWith("REPORT RequestId: "), lines.toString());

        assertThrows(InvalidParameterValueException.class, () -> lambda.updateFunctionConfiguration(b -> b
                .functionName("json-levels").loggingConfig(l -> l.applicationLogLevel(ApplicationLogLevel.DEBUG))),
                "a level for Text logs would apply to nothing");
        lambda.deleteFunction(b -> b.functionName("json-levels"));
    }

    /** The Debian AWS CLI (2.9) predates LoggingConfig, so the SDK sets it and the CLI reads the tail. */
    @Test
    void theAwsClisLogTailOfAJsonFunctionShowsTheJsonLinesAndRecords() throws Exception {
        Fixtures.deploy(lambda, "json-cli", "test-functions", HANDLER, b -> b.timeout(30).loggingConfig(l -> l
                .logFormat(LogFormat.JSON).applicationLogLevel(ApplicationLogLevel.WARN)
                .systemLogLevel(SystemLogLevel.DEBUG)));
        java.nio.file.Path out = java.nio.file.Files.createTempFile("thaw-json-cli-", ".json");
        try {
            JsonNode invoked = JSON.readTree(AwsCli.lambdaOk(server.endpoint(), "invoke", "--function-name",
                    "json-cli", "--log-type", "Tail", out.toString()));
            assertEquals("\"logged\"", java.nio.file.Files.readString(out));
            List<String> lines = new String(Base64.getDecoder().decode(invoked.get("LogResult").asText()),
                    StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            assertEquals(List.of("level-WARN", "level-ERROR", "level-FATAL"), messages(objects(lines, "message")),
                    lines.toString());
            assertEquals(List.of("platform.start", "platform.runtimeDone", "platform.report"),
                    objects(lines, "type").stream().map(o -> o.get("type").asText()).toList());
        } finally {
            java.nio.file.Files.delete(out);
        }
        AwsCli.lambdaOk(server.endpoint(), "delete-function", "--function-name", "json-cli");
    }

    @Test
    void unknownLevelsAndFormatsAreRefusedAsAwsRefusesThem() {
        var e = assertThrows(InvalidParameterValueException.class, () -> Fixtures.deploy(lambda, "json-bad",
                "test-functions", HANDLER, b -> b.loggingConfig(l -> l.logFormat(LogFormat.JSON)
                        .applicationLogLevel("LOUD"))));
        assertTrue(e.getMessage().contains("loggingConfig.applicationLogLevel"), e.getMessage());
        assertThrows(InvalidParameterValueException.class, () -> Fixtures.deploy(lambda, "json-bad",
                "test-functions", HANDLER, b -> b.loggingConfig(l -> l.logFormat("XML"))));
        assertThrows(InvalidParameterValueException.class, () -> Fixtures.deploy(lambda, "json-bad",
                "test-functions", HANDLER, b -> b.loggingConfig(l -> l.systemLogLevel(SystemLogLevel.WARN))),
                "levels without JSON");
    }
}
