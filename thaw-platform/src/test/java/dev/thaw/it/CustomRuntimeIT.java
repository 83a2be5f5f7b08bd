package dev.thaw.it;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Any program that speaks only the Runtime API can serve a function: here a shell script with curl. */
class CustomRuntimeIT {
    /** A complete Lambda runtime in shell: poll /next, answer /response, report errors to /error. */
    private static final String BOOTSTRAP = """
            #!/bin/sh
            set -eu
            API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
            while true; do
              HEADERS=$(mktemp)
              EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
              ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)
              rm -f "$HEADERS"
              echo "shell runtime got $ID"
              case "$EVENT" in
                *fail*) curl -sS -X POST -H 'Lambda-Runtime-Function-Error-Type: Shell.Failure' \\
                          -d '{"errorMessage":"asked to fail","errorType":"Shell.Failure"}' "$API/invocation/$ID/error" ;;
                *) curl -sS -X POST -d "{\\"shell\\":true,\\"fn\\":\\"$AWS_LAMBDA_FUNCTION_NAME\\",\\"event\\":$EVENT}" \\
                          "$API/invocation/$ID/response" ;;
              esac
            done
            """;

    private static byte[] zip() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("bootstrap"));
            z.write(BOOTSTRAP.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        return bytes.toByteArray();
    }

    @Test
    void aShellScriptSpeakingTheRuntimeApiServesAFunction() throws Exception {
        byte[] zip = zip();
        try (ThawServerProcess server = ThawServerProcess.start(); LambdaClient lambda = server.lambda()) {
            lambda.createFunction(b -> b.functionName("shell").runtime("provided.al2023").handler("ignored")
                    .role("r").code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
            InvokeResponse ok = lambda.invoke(b -> b.functionName("shell").payload(SdkBytes.fromUtf8String(
                    "{\"n\":1}")));
            assertEquals("{\"shell\":true,\"fn\":\"shell\",\"event\":{\"n\":1}}", ok.payload().asUtf8String());
            InvokeResponse failed = lambda.invoke(b -> b.functionName("shell").payload(SdkBytes.fromUtf8String(
                    "{\"please\":\"fail\"}")));
            assertEquals("Unhandled", failed.functionError());
            assertTrue(failed.payload().asUtf8String().contains("Shell.Failure"), failed.payload().asUtf8String());
            lambda.createFunction(b -> b.functionName("shell-al2").runtime("provided.al2").handler("ignored")
                    .role("r").code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
            lambda.createFunction(b -> b.functionName("shell-provided").runtime("provided").handler("ignored")
                    .role("r").code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
            for (String fn : java.util.List.of("shell-al2", "shell-provided")) {
                assertTrue(lambda.invoke(b -> b.functionName(fn).payload(SdkBytes.fromUtf8String("{}")))
                        .payload().asUtf8String().contains("\"fn\":\"" + fn + "\""));
            }
            assertThrows(InvalidParameterValueException.class, () -> lambda.createFunction(b -> b
                    .functionName("no-bootstrap").runtime("provided.al2023").handler("x").role("r")
                    .code(c -> c.zipFile(ThawServerProcess.example("hello")))));
        }
    }

    @Test
    void awsRuntimeInterfaceClientServesAJavaFunctionUnmodified() throws Exception {
        try (ThawServerProcess server = ThawServerProcess.start(); LambdaClient lambda = server.lambda()) {
            lambda.createFunction(b -> b.functionName("ric").runtime("provided.al2023")
                    .handler("dev.thaw.examples.ric.Greeter::handleRequest").role("r").timeout(30)
                    .code(c -> c.zipFile(ThawServerProcess.example("ric"))));
            InvokeResponse ok = lambda.invoke(b -> b.functionName("ric").payload(SdkBytes.fromUtf8String(
                    "{\"name\":\"RIC\"}")));
            assertEquals(null, ok.functionError(), ok.payload().asUtf8String());
            assertTrue(ok.payload().asUtf8String().contains("\"greeting\":\"Hello, RIC!\""),
                    ok.payload().asUtf8String());
            InvokeResponse failed = lambda.invoke(b -> b.functionName("ric").payload(SdkBytes.fromUtf8String(
                    "{\"fail\":true}")));
            assertEquals("Unhandled", failed.functionError());
            var error = new com.fasterxml.jackson.databind.ObjectMapper().readTree(failed.payload().asByteArray());
            // The RIC's own error report: errorType is the exception's class, stackTrace its frames.
            assertEquals("java.lang.IllegalArgumentException", error.path("errorType").asText(), error.toString());
            assertTrue(error.path("errorMessage").asText().contains("asked to fail by ric"), error.toString());
            assertTrue(error.path("stackTrace").isArray() && error.path("stackTrace").size() > 0, error.toString());
        }
    }

    @Test
    void withoutWorkingCriuSnapStartIsRefusedWithAReasonAndEverythingElseWorks() {
        try (ThawServerProcess server = ThawServerProcess.startWithEnvironment(
                java.util.Map.of("THAW_CRIU", "/nonexistent/criu")); LambdaClient lambda = server.lambda()) {
            InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class,
                    () -> lambda.createFunction(b -> b.functionName("snappy").runtime("java17")
                            .handler("dev.thaw.examples.hello.Hello").role("r")
                            .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS))
                            .code(c -> c.zipFile(ThawServerProcess.example("hello")))));
            assertTrue(e.getMessage().contains("CRIU"), e.getMessage());
            lambda.createFunction(b -> b.functionName("plain").runtime("java17")
                    .handler("dev.thaw.examples.hello.Hello").role("r")
                    .code(c -> c.zipFile(ThawServerProcess.example("hello"))));
            assertEquals("1", lambda.publishVersion(b -> b.functionName("plain")).version());
            assertEquals(200, lambda.invoke(b -> b.functionName("plain").qualifier("1")).statusCode());
        }
    }
}
