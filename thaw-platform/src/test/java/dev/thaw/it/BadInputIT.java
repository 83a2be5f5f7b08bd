package dev.thaw.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
class BadInputIT {
    private ThawServerProcess server;
    private LambdaClient lambda;

    @BeforeAll
    void start() {
        server = ThawServerProcess.start();
        lambda = server.lambda();
    }

    @AfterAll
    void stop() {
        lambda.close();
        server.close();
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
}
