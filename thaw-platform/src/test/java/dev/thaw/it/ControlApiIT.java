package dev.thaw.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.CreateFunctionResponse;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.ListFunctionsResponse;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.State;

import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control API through the AWS SDK: functions, versions, aliases and concurrency behave as on AWS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class ControlApiIT {
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;

    @BeforeAll
    void deployFunctions() {
    }


    private CreateFunctionResponse createHello(String name) {
        return lambda.createFunction(b -> b.functionName(name).runtime(Runtime.JAVA17)
                .handler("dev.thaw.examples.hello.Hello").role("arn:aws:iam::000000000000:role/x")
                .memorySize(256).timeout(10).description("hello fn")
                .environment(e -> e.variables(Map.of("GREETING", "hi")))
                .code(c -> c.zipFile(ThawServerProcess.example("hello"))));
    }

    @Test
    void createFunctionReturnsAwsShapedConfiguration() throws Exception {
        CreateFunctionResponse created = createHello("shape");
        byte[] zip = ThawServerProcess.example("hello").asByteArray();
        String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(zip));
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:shape", created.functionArn());
        assertEquals(sha, created.codeSha256());
        assertEquals(zip.length, created.codeSize());
        assertEquals("$LATEST", created.version());
        assertEquals(State.ACTIVE, created.state());
        assertEquals(256, created.memorySize());
        assertEquals("hi", created.environment().variables().get("GREETING"));
        assertTrue(created.lastModified().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000"),
                created.lastModified());
        assertThrows(ResourceConflictException.class, () -> createHello("shape"));
    }

    @Test
    void getFunctionCodeLocationDownloadsTheDeployedPackageByteForByte() throws Exception {
        createHello("download");
        GetFunctionResponse got = lambda.getFunction(b -> b.functionName("download"));
        assertEquals("download", got.configuration().functionName());
        byte[] downloaded;
        try (InputStream in = URI.create(got.code().location()).toURL().openStream()) {
            downloaded = in.readAllBytes();
        }
        assertArrayEquals(ThawServerProcess.example("hello").asByteArray(), downloaded);
    }

    @Test
    void listFunctionsPaginatesWithMarkerAndMaxItems() {
        for (int i = 0; i < 5; i++) {
            createHello("page-" + i);
        }
        List<String> names = new ArrayList<>();
        String marker = null;
        int pages = 0;
        do {
            String m = marker;
            ListFunctionsResponse page = lambda.listFunctions(b -> b.maxItems(2).marker(m));
            page.functions().forEach(f -> names.add(f.functionName()));
            marker = page.nextMarker();
            pages++;
        } while (marker != null);
        assertTrue(pages >= 3);
        assertTrue(names.containsAll(List.of("page-0", "page-1", "page-2", "page-3", "page-4")), names.toString());
        assertEquals(names.size(), names.stream().distinct().count());
    }

    @Test
    void updatesChangeLatestAndPublishFreezesAVersion() {
        createHello("versions");
        var updated = lambda.updateFunctionConfiguration(b -> b.functionName("versions")
                .memorySize(512).description("bigger"));
        assertEquals(512, updated.memorySize());
        assertEquals("dev.thaw.examples.hello.Hello", updated.handler());
        var v1 = lambda.publishVersion(b -> b.functionName("versions"));
        assertEquals("1", v1.version());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:versions:1", v1.functionArn());
        var again = lambda.publishVersion(b -> b.functionName("versions"));
        assertEquals("1", again.version(), "publishing unchanged code and config returns the same version");

        var code = lambda.updateFunctionCode(b -> b.functionName("versions")
                .zipFile(ThawServerProcess.example("test-functions")));
        assertNotEquals(v1.codeSha256(), code.codeSha256());
        assertEquals(v1.codeSha256(), lambda.getFunctionConfiguration(b -> b.functionName("versions")
                .qualifier("1")).codeSha256(), "a published version's code never changes");
        var v2 = lambda.publishVersion(b -> b.functionName("versions").description("second"));
        assertEquals("2", v2.version());
        assertEquals("second", v2.description());

        List<String> versions = lambda.listVersionsByFunction(b -> b.functionName("versions")).versions().stream()
                .map(FunctionConfiguration::version).toList();
        assertEquals(List.of("$LATEST", "1", "2"), versions);

        lambda.deleteFunction(b -> b.functionName("versions").qualifier("1"));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(b -> b.functionName("versions")
                .qualifier("1")));
    }

    @Test
    void aliasesPointAtVersionsAndProtectThem() {
        createHello("aliased");
        lambda.publishVersion(b -> b.functionName("aliased"));
        var alias = lambda.createAlias(b -> b.functionName("aliased").name("live")
                .functionVersion("1"));
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:aliased:live", alias.aliasArn());
        assertEquals("1", lambda.getAlias(b -> b.functionName("aliased").name("live")).functionVersion());
        assertEquals(1, lambda.listAliases(b -> b.functionName("aliased")).aliases().size());
        assertThrows(ResourceConflictException.class, () -> lambda.deleteFunction(b -> b.functionName("aliased")
                .qualifier("1")));
        lambda.updateAlias(b -> b.functionName("aliased").name("live").functionVersion("$LATEST"));
        assertEquals("$LATEST", lambda.getAlias(b -> b.functionName("aliased").name("live")).functionVersion());
        assertEquals("1", lambda.getFunctionConfiguration(b -> b.functionName("aliased").qualifier("1"))
                .version());
        lambda.deleteAlias(b -> b.functionName("aliased").name("live"));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getAlias(b -> b.functionName("aliased")
                .name("live")));
    }

    @Test
    void reservedConcurrencyIsStoredAndRemoved() {
        createHello("reserved");
        assertEquals(3, lambda.putFunctionConcurrency(b -> b.functionName("reserved")
                .reservedConcurrentExecutions(3)).reservedConcurrentExecutions());
        assertEquals(3, lambda.getFunctionConcurrency(b -> b.functionName("reserved"))
                .reservedConcurrentExecutions());
        assertEquals(3, lambda.getFunction(b -> b.functionName("reserved")).concurrency()
                .reservedConcurrentExecutions());
        lambda.deleteFunctionConcurrency(b -> b.functionName("reserved"));
        assertEquals(null, lambda.getFunctionConcurrency(b -> b.functionName("reserved"))
                .reservedConcurrentExecutions());
    }

    @Test
    void deleteFunctionRemovesEverything() {
        createHello("doomed");
        lambda.deleteFunction(b -> b.functionName("doomed"));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(b -> b.functionName("doomed")));
        assertFalse(lambda.listFunctions().functions().stream().anyMatch(f -> f.functionName().equals("doomed")));
    }

    @Test
    void functionsAreAddressedByNamePartialArnAndFullArn() {
        createHello("addressed");
        for (String ref : List.of("addressed", "000000000000:function:addressed",
                "arn:aws:lambda:us-east-1:000000000000:function:addressed")) {
            assertEquals("addressed", lambda.getFunctionConfiguration(b -> b.functionName(ref)).functionName(), ref);
        }
    }

    static SdkBytes bytes(byte[] b) {
        return SdkBytes.fromByteArray(b);
    }
}
