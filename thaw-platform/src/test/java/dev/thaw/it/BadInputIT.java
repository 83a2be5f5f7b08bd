package dev.thaw.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input gets a typed AWS error, and the server keeps serving after each one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class BadInputIT {
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;

    @BeforeAll
    void deployFunctions() {
    }


    @AfterEach
    void serverStillServes() {
        assertEquals(200, server.http("GET", "/thaw/v1/health", null).statusCode());
        lambda.listFunctions();
    }

    private void create(Consumer<CreateFunctionRequest.Builder> customise) {
        lambda.createFunction(b -> {
            b.functionName("bad").runtime("java17").handler("dev.thaw.examples.hello.Hello")
                    .role("arn:aws:iam::000000000000:role/x")
                    .code(c -> c.zipFile(ThawServerProcess.example("hello")));
            customise.accept(b);
        });
    }

    private static void assertAwsError(HttpResponse<String> r, int status, String type) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(type, r.headers().firstValue("x-amzn-ErrorType").orElse(null), r.body());
        assertTrue(r.body().contains("\"__type\":\"" + type + "\""), r.body());
        assertTrue(r.body().contains("\"message\":"), r.body());
    }

    @Test
    void malformedJsonIsInvalidRequestContent() {
        assertAwsError(server.http("POST", "/2015-03-31/functions", "{\"FunctionName\": ", "Content-Type",
                "application/json"), 400, "InvalidRequestContentException");
    }

    @Test
    void badBase64IsInvalidParameter() {
        assertAwsError(server.http("POST", "/2015-03-31/functions", "{\"FunctionName\":\"b64\",\"Runtime\":\"java17\","
                + "\"Handler\":\"a.B\",\"Role\":\"r\",\"Code\":{\"ZipFile\":\"!!!not base64!!!\"}}"),
                400, "InvalidParameterValueException");
    }

    @Test
    void aPackageThatIsNotAZipIsInvalidParameter() {
        InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class, () -> create(b ->
                b.code(c -> c.zipFile(SdkBytes.fromUtf8String("this is plain text, not a zip")))));
        assertTrue(e.getMessage().contains("Could not unzip"), e.getMessage());
    }

    @Test
    void aMissingHandlerClassIsInvalidParameter() {
        InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class, () -> create(b ->
                b.handler("dev.thaw.examples.hello.Missing")));
        assertTrue(e.getMessage().contains("dev.thaw.examples.hello.Missing"), e.getMessage());
    }

    @Test
    void anUnknownRuntimeIsInvalidParameter() {
        assertThrows(InvalidParameterValueException.class, () -> create(b -> b.runtime("cobol85")));
    }

    @Test
    void aZipSlipEntryIsInvalidParameter() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("../../escaped.txt"));
            zip.write("gotcha".getBytes());
            zip.closeEntry();
        }
        InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class, () -> create(b ->
                b.code(c -> c.zipFile(SdkBytes.fromByteArray(bytes.toByteArray())))));
        assertTrue(e.getMessage().contains("escapes"), e.getMessage());
        assertTrue(!java.nio.file.Files.exists(server.home().resolve("escaped.txt")));
    }

    @Test
    void outOfRangeMemoryAndTimeoutAreInvalidParameter() {
        assertThrows(InvalidParameterValueException.class, () -> create(b -> b.memorySize(64)));
        assertThrows(InvalidParameterValueException.class, () -> create(b -> b.memorySize(20000)));
        assertThrows(InvalidParameterValueException.class, () -> create(b -> b.timeout(0)));
        assertThrows(InvalidParameterValueException.class, () -> create(b -> b.timeout(901)));
    }

    @Test
    void reservedEnvironmentVariablesAreInvalidParameter() {
        assertThrows(InvalidParameterValueException.class, () -> create(b -> b.environment(e ->
                e.variables(java.util.Map.of("AWS_REGION", "mars-1")))));
    }

    @Test
    void unknownFunctionsAndAliasesAreResourceNotFound() {
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(b -> b.functionName("nope")));
        assertThrows(ResourceNotFoundException.class, () -> lambda.invoke(b -> b.functionName("nope")));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getAlias(b -> b.functionName("nope").name("a")));
    }

    @Test
    void anUnknownPathGetsAnAwsShapedError() {
        HttpResponse<String> r = server.http("GET", "/2015-03-31/nothing-here", null);
        assertEquals(404, r.statusCode());
        assertTrue(r.headers().firstValue("x-amzn-ErrorType").isPresent());
    }

    @Test
    void malformedInvokePayloadIsInvalidRequestContent() {
        create(b -> b.functionName("payload-check"));
        LambdaException e = assertThrows(LambdaException.class, () -> lambda.invoke(b -> b.functionName(
                "payload-check").payload(SdkBytes.fromUtf8String("{not json"))));
        assertEquals("InvalidRequestContentException", e.awsErrorDetails().errorCode());
        assertEquals(400, e.statusCode());
    }

    // --- found by a hostile pass ----------------------------------------------------------------------------

    @Test
    void aNulCharacterInAnEnvironmentValueIsInvalidParameter() {
        InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class, () -> create(b ->
                b.functionName("nul-env").environment(v -> v.variables(java.util.Map.of("NV", "a\u0000b")))));
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
        create(b -> b.functionName("nul-env-update"));
        assertThrows(InvalidParameterValueException.class, () -> lambda.updateFunctionConfiguration(b -> b
                .functionName("nul-env-update").environment(v -> v.variables(java.util.Map.of("NV", "a\u0000b")))));
    }

    @Test
    void theEnvironmentLimitCountsUtf8Bytes() {
        // 1,500 two-byte characters: 3,000 bytes, well under 4,096 characters but over 4 KB with the next one.
        String twoByte = "\u00e9".repeat(1500);
        InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class, () -> create(b ->
                b.functionName("env-bytes").environment(v -> v.variables(java.util.Map.of("A1", twoByte,
                        "B1", "x".repeat(1200))))));
        assertTrue(e.getMessage().contains("4KB"), e.getMessage());
    }

    @Test
    void aLogNameThatLeavesTheLogsFolderIsRefusedAndNeverRead() throws Exception {
        java.nio.file.Path outside = java.nio.file.Files.createTempDirectory("thaw-outside-");
        try {
            java.nio.file.Files.writeString(outside.resolve("secret.log"), "1 do-not-serve\n");
            java.nio.file.Path logs = server.home().resolve("logs");
            String up = logs.relativize(outside).toString().replace("/", "%252F");
            for (String path : java.util.List.of("/thaw/v1/logs/" + up, "/thaw/v1/logs/..%252F..%252F..%252Ftmp",
                    "/thaw/v1/logs/..", "/thaw/v1/logs/%2E%2E")) {
                HttpResponse<String> r = server.http("GET", path, null);
                assertTrue(r.statusCode() == 400 || r.statusCode() == 404, path + ": " + r.statusCode());
                assertTrue(!r.body().contains("do-not-serve"), path + " served a file outside the logs: " + r.body());
            }
        } finally {
            dev.thaw.io.FileTrees.delete(outside);
        }
    }

    @Test
    void aLogLimitThatIsNotAPositiveNumberIsInvalidParameter() {
        assertAwsError(server.http("GET", "/thaw/v1/logs/hello?Limit=abc", null), 400,
                "InvalidParameterValueException");
        assertAwsError(server.http("GET", "/thaw/v1/logs/hello?Limit=-5", null), 400,
                "InvalidParameterValueException");
    }

    @Test
    void aRejectedCreateFunctionLeavesNoPackageBehind() throws Exception {
        create(b -> b.functionName("already-here"));
        java.util.Set<String> before = codeEntries();
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(other)) {
            zip.putNextEntry(new ZipEntry("only/a/file.txt"));
            zip.write("no handler here".getBytes());
            zip.closeEntry();
        }
        SdkBytes unusedPackage = SdkBytes.fromByteArray(other.toByteArray());
        assertThrows(InvalidParameterValueException.class, () -> create(b -> b.functionName("no-handler")
                .code(c -> c.zipFile(unusedPackage))));
        assertThrows(LambdaException.class, () -> create(b -> b.functionName("already-here")
                .code(c -> c.zipFile(unusedPackage))));
        assertThrows(InvalidParameterValueException.class, () -> create(b -> b.functionName("too-small")
                .memorySize(64).code(c -> c.zipFile(unusedPackage))));
        assertEquals(before, codeEntries());
    }

    private java.util.Set<String> codeEntries() throws java.io.IOException {
        try (var entries = java.nio.file.Files.list(server.home().resolve("code"))) {
            return entries.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void aZipWhoseEntriesCannotAllExistIsInvalidParameter() throws Exception {
        for (java.util.List<String> names : java.util.List.of(java.util.List.of("a", "a/b"),
                java.util.List.of("a/b", "a"), java.util.List.of("."))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                for (String name : names) {
                    zip.putNextEntry(new ZipEntry(name));
                    zip.write("x".getBytes());
                    zip.closeEntry();
                }
            }
            InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class, () -> create(b ->
                    b.functionName("conflicting").code(c -> c.zipFile(SdkBytes.fromByteArray(bytes.toByteArray())))),
                    names.toString());
            assertTrue(e.getMessage().contains("Could not unzip"), e.getMessage());
        }
    }

    @Test
    void aReservationThatCutsIntoTheUnreservedMinimumIsInvalidParameter() {
        create(b -> b.functionName("greedy"));
        // The server runs with the default account limit of 64, so 6 always stay unreserved.
        InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class, () ->
                lambda.putFunctionConcurrency(b -> b.functionName("greedy").reservedConcurrentExecutions(64)));
        assertTrue(e.getMessage().contains("UnreservedConcurrentExecution below its minimum value of [6]"),
                e.getMessage());
        assertEquals(58, lambda.putFunctionConcurrency(b -> b.functionName("greedy")
                .reservedConcurrentExecutions(58)).reservedConcurrentExecutions());
        lambda.deleteFunctionConcurrency(b -> b.functionName("greedy"));
    }

    @Test
    void aQualifierOutsideAwsPatternIsInvalidParameter() {
        create(b -> b.functionName("qualified"));
        assertAwsError(server.http("POST", "/2015-03-31/functions/qualified/invocations?Qualifier=%24LATEST%00",
                "{}"), 400, "InvalidParameterValueException");
        assertAwsError(server.http("GET", "/2015-03-31/functions/qualified?Qualifier=a%20b", null), 400,
                "InvalidParameterValueException");
    }

    @Test
    void anAliasToAVersionThatIsNotANumberIsInvalidParameter() {
        create(b -> b.functionName("alias-target"));
        assertThrows(InvalidParameterValueException.class, () -> lambda.createAlias(b -> b
                .functionName("alias-target").name("live").functionVersion("abc")));
    }

    @Test
    void requestsTheServerCannotParseGetAnAwsShapedError() {
        create(b -> b.functionName("chunky"));
        for (String request : java.util.List.of(
                "GET /2015-03-31/functions/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /2015-03-31/functions/" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(70_000) + "\r\n\r\n",
                "POST /2015-03-31/functions/chunky/invocations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "zz\r\nabc\r\n0\r\n\r\n")) {
            String answer = server.rawHttp(request);
            String head = answer.substring(0, Math.min(answer.length(), 200));
            assertTrue(answer.startsWith("HTTP/1.1 4"), head);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("x-amzn-errortype:"), head);
            assertTrue(answer.contains("\"__type\":"), answer);
        }
    }
}
