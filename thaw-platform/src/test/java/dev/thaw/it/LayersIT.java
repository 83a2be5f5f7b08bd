package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.AddLayerVersionPermissionResponse;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.GetLayerVersionPolicyResponse;
import software.amazon.awssdk.services.lambda.model.PreconditionFailedException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetLayerVersionResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LayerVersionsListItem;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.PublishLayerVersionResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layers as Lambda has them: a library published as a layer is on the class path of a function that names it, in a
 * plain and in a restored environment; later layers replace earlier layers' files under /opt; the layer calls work
 * through the SDK and the AWS CLI, and bad {@code Layers} are refused as Lambda refuses them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class LayersIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "dev.thaw.examples.layers.LayerUser";
    private static final String PREFIX = "arn:aws:lambda:us-east-1:000000000000:layer:";
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;

    private static SdkBytes zip(String name) {
        try {
            return SdkBytes.fromByteArray(Files.readAllBytes(
                    ThawServerProcess.REPO.resolve("examples/layers/target/" + name + ".zip")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("examples/layers not built", e);
        }
    }

    private PublishLayerVersionResponse publish(String layer, String zip) {
        return lambda.publishLayerVersion(b -> b.layerName(layer).description("the " + zip)
                .compatibleRuntimes(Runtime.JAVA17).compatibleArchitectures(Architecture.X86_64)
                .licenseInfo("MIT").content(c -> c.zipFile(zip(zip))));
    }

    private void createUser(String name, List<String> layers, boolean snapStart) {
        lambda.createFunction(b -> b.functionName(name).runtime(Runtime.JAVA17).handler(USER).role(Fixtures.ROLE)
                .timeout(30).layers(layers).code(c -> c.zipFile(zip("layer-user")))
                .snapStart(s -> s.applyOn(snapStart ? SnapStartApplyOn.PUBLISHED_VERSIONS : SnapStartApplyOn.NONE)));
    }

    private InvokeResponse invoke(String name, String qualifier) {
        return lambda.invoke(b -> b.functionName(name).qualifier(qualifier).logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String("{\"name\":\"Thaw\"}")));
    }

    private static String tail(InvokeResponse r) {
        return new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
    }

    @Test
    void aClassOnlyTheLayerHasRunsInAPlainAndInARestoredEnvironment() {
        PublishLayerVersionResponse layer = publish("greeting", "layer");
        createUser("greeter", List.of(layer.layerVersionArn()), true);

        InvokeResponse plain = invoke("greeter", "$LATEST");
        assertEquals(null, plain.functionError(), plain.payload().asUtf8String());
        assertEquals("\"Hello, Thaw! (from the greeting layer)\"", plain.payload().asUtf8String());

        FunctionConfiguration config = lambda.getFunction(b -> b.functionName("greeter")).configuration();
        assertEquals(1, config.layers().size());
        assertEquals(layer.layerVersionArn(), config.layers().getFirst().arn());
        assertEquals(layer.content().codeSize(), config.layers().getFirst().codeSize());
        assertEquals(config.layers(), lambda.getFunctionConfiguration(b -> b.functionName("greeter")).layers());

        String version = lambda.publishVersion(b -> b.functionName("greeter")).version();
        lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName("greeter").qualifier(version));
        assertEquals(config.layers(), lambda.getFunctionConfiguration(b -> b.functionName("greeter")
                .qualifier(version)).layers(), "the published version keeps its layers");
        InvokeResponse restored = invoke("greeter", version);
        assertEquals(null, restored.functionError(), restored.payload().asUtf8String());
        assertEquals("\"Hello, Thaw! (from the greeting layer)\"", restored.payload().asUtf8String());
        assertTrue(tail(restored).contains("Restore Duration"), "restored from its snapshot: " + tail(restored));

        // Removing the layer from $LATEST leaves the version as published.
        lambda.updateFunctionConfiguration(b -> b.functionName("greeter").layers(List.of()));
        lambda.waiter().waitUntilFunctionUpdatedV2(b -> b.functionName("greeter"));
        assertTrue(lambda.getFunctionConfiguration(b -> b.functionName("greeter")).layers().isEmpty());
        InvokeResponse bare = invoke("greeter", "$LATEST");
        assertEquals("Unhandled", bare.functionError());
        assertTrue(bare.payload().asUtf8String().contains("NoClassDefFoundError"), bare.payload().asUtf8String());
        assertEquals("\"Hello, Thaw! (from the greeting layer)\"", invoke("greeter", version).payload()
                .asUtf8String());
        lambda.deleteFunction(b -> b.functionName("greeter"));
    }

    @Test
    void aLaterLayerReplacesAFileOfAnEarlierOne() {
        String library = publish("greeting-lib", "layer").layerVersionArn();
        String override = publish("greeting-text", "override-layer").layerVersionArn();
        createUser("howdy", List.of(library, override), false);
        assertEquals("\"Howdy, Thaw! (from the greeting layer)\"", invoke("howdy", "$LATEST").payload()
                .asUtf8String());

        lambda.updateFunctionConfiguration(b -> b.functionName("howdy").layers(override, library));
        lambda.waiter().waitUntilFunctionUpdatedV2(b -> b.functionName("howdy"));
        assertEquals("\"Hello, Thaw! (from the greeting layer)\"", invoke("howdy", "$LATEST").payload()
                .asUtf8String(), "in the other order the library layer's file wins");
        assertEquals(List.of(override, library), lambda.getFunctionConfiguration(b -> b.functionName("howdy"))
                .layers().stream().map(l -> l.arn()).toList());
        lambda.deleteFunction(b -> b.functionName("howdy"));
    }

    /** A runtime in shell that answers every event with the text of /opt/greeting.txt. */
    private static final String BOOTSTRAP = """
            #!/bin/sh
            set -eu
            API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
            while true; do
              HEADERS=$(mktemp)
              curl -sS -D "$HEADERS" -o /dev/null "$API/invocation/next"
              ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)
              rm -f "$HEADERS"
              curl -sS -X POST -d "\\"$(cat /opt/greeting.txt)\\"" "$API/invocation/$ID/response"
            done
            """;

    @Test
    void aCustomRuntimeSeesItsLayersUnderOpt() throws Exception {
        String library = publish("shell-lib", "layer").layerVersionArn();
        String override = publish("shell-text", "override-layer").layerVersionArn();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bytes)) {
            z.putNextEntry(new java.util.zip.ZipEntry("bootstrap"));
            z.write(BOOTSTRAP.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        lambda.createFunction(b -> b.functionName("shell-layers").runtime("provided.al2023").handler("x")
                .role(Fixtures.ROLE).layers(library, override)
                .code(c -> c.zipFile(SdkBytes.fromByteArray(bytes.toByteArray()))));
        InvokeResponse r = lambda.invoke(b -> b.functionName("shell-layers"));
        assertEquals(null, r.functionError(), r.payload().asUtf8String());
        assertEquals("\"Howdy\"", r.payload().asUtf8String());
        lambda.deleteFunction(b -> b.functionName("shell-layers"));
    }

    @Test
    void theLayerCallsPublishGetListAndDeleteVersions() throws Exception {
        PublishLayerVersionResponse first = publish("tools", "layer");
        PublishLayerVersionResponse second = lambda.publishLayerVersion(b -> b.layerName("tools")
                .compatibleRuntimes(Runtime.PROVIDED_AL2023).content(c -> c.zipFile(zip("override-layer"))));
        assertEquals(1, first.version());
        assertEquals(2, second.version());
        assertEquals(PREFIX + "tools", first.layerArn());
        assertEquals(PREFIX + "tools:1", first.layerVersionArn());
        assertEquals("MIT", first.licenseInfo());
        assertEquals(List.of(Architecture.X86_64), first.compatibleArchitectures());
        byte[] bytes = zip("layer").asByteArray();
        assertEquals(bytes.length, first.content().codeSize());
        assertEquals(Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                .digest(bytes)), first.content().codeSha256());
        HttpResponse<byte[]> download;
        try (HttpClient http = HttpClient.newHttpClient()) {
            download = http.send(HttpRequest.newBuilder(URI.create(first.content().location())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }
        assertEquals(200, download.statusCode());
        assertArrayEquals(bytes, download.body(), "Content.Location serves the layer's archive");

        GetLayerVersionResponse got = lambda.getLayerVersion(b -> b.layerName("tools").versionNumber(1L));
        assertEquals(first.content().codeSha256(), got.content().codeSha256());
        assertEquals("the layer", got.description());
        var byArn = lambda.getLayerVersionByArn(b -> b.arn(PREFIX + "tools:2"));
        assertEquals(PREFIX + "tools:2", byArn.layerVersionArn());
        assertEquals(second.content().codeSha256(), byArn.content().codeSha256());
        assertEquals(List.of(2L, 1L), lambda.listLayerVersions(b -> b.layerName("tools")).layerVersions().stream()
                .map(LayerVersionsListItem::version).toList(), "newest first");
        assertEquals(List.of(1L), lambda.listLayerVersions(b -> b.layerName(PREFIX + "tools")
                .compatibleRuntime(Runtime.JAVA17)).layerVersions().stream().map(LayerVersionsListItem::version)
                .toList(), "filtered by runtime, and the layer named by its ARN");
        var tools = lambda.listLayers(b -> { }).layers().stream().filter(l -> l.layerName().equals("tools"))
                .findFirst().orElseThrow();
        assertEquals(PREFIX + "tools", tools.layerArn());
        assertEquals(2L, tools.latestMatchingVersion().version());
        assertEquals(1L, lambda.listLayers(b -> b.compatibleRuntime(Runtime.JAVA17)).layers().stream()
                .filter(l -> l.layerName().equals("tools")).findFirst().orElseThrow().latestMatchingVersion()
                .version());

        createUser("tool-user", List.of(first.layerVersionArn()), false);
        lambda.deleteLayerVersion(b -> b.layerName("tools").versionNumber(1L));
        lambda.deleteLayerVersion(b -> b.layerName("tools").versionNumber(1L)); // idempotent, as on Lambda
        assertThrows(ResourceNotFoundException.class, () -> lambda.getLayerVersion(b -> b.layerName("tools")
                .versionNumber(1L)));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getLayerVersionByArn(b -> b.arn(PREFIX
                + "tools:1")));
        assertEquals("\"Hello, Thaw! (from the greeting layer)\"", invoke("tool-user", "$LATEST").payload()
                .asUtf8String(), "a function keeps a deleted layer version it already uses");
        assertThrows(InvalidParameterValueException.class, () -> createUser("late-user",
                List.of(first.layerVersionArn()), false), "a deleted version cannot be added to a function");
        lambda.deleteFunction(b -> b.functionName("tool-user"));

        lambda.deleteLayerVersion(b -> b.layerName("tools").versionNumber(2L));
        assertEquals(3L, publish("tools", "layer").version(), "numbers are never reused");
    }

    @Test
    void unknownMalformedAndTooManyLayersAreRefused() {
        String real = publish("real", "layer").layerVersionArn();
        var unknown = assertThrows(InvalidParameterValueException.class, () -> createUser("missing",
                List.of(PREFIX + "nothing:1"), false));
        assertTrue(unknown.getMessage().contains(PREFIX + "nothing:1"), unknown.getMessage());
        assertThrows(InvalidParameterValueException.class, () -> createUser("malformed", List.of("real"), false));
        List<String> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add(publish("many-" + i, "override-layer").layerVersionArn());
        }
        var tooMany = assertThrows(InvalidParameterValueException.class, () -> createUser("six", six, false));
        assertTrue(tooMany.getMessage().contains("5"), tooMany.getMessage());
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(b -> b.functionName("six")),
                "a refused create leaves no function");

        createUser("four", six.subList(0, 4).stream().collect(java.util.stream.Collectors.toCollection(
                ArrayList::new)), false);
        assertThrows(InvalidParameterValueException.class, () -> lambda.updateFunctionConfiguration(b -> b
                .functionName("four").layers(real, PREFIX + "real:9")));
        assertEquals(4, lambda.getFunctionConfiguration(b -> b.functionName("four")).layers().size(),
                "a refused update changes nothing");
        lambda.deleteFunction(b -> b.functionName("four"));

        assertThrows(ResourceNotFoundException.class, () -> lambda.getLayerVersion(b -> b.layerName("real")
                .versionNumber(7L)));
        assertThrows(InvalidParameterValueException.class, () -> lambda.getLayerVersionByArn(b -> b
                .arn("arn:aws:lambda:us-east-1:000000000000:function:real")));
        assertThrows(InvalidParameterValueException.class, () -> lambda.publishLayerVersion(b -> b
                .layerName("empty").content(c -> c.zipFile(SdkBytes.fromUtf8String("not a zip")))));
        assertTrue(lambda.listLayers(b -> { }).layers().stream().noneMatch(l -> l.layerName().equals("empty")));
    }

    @Test
    void theAwsCliPublishesListsAndDeletesLayerVersions() throws Exception {
        Path zip = ThawServerProcess.REPO.resolve("examples/layers/target/layer.zip");
        JsonNode published = JSON.readTree(cliOk("publish-layer-version", "--layer-name", "cli-layer",
                "--zip-file", "fileb://" + zip, "--compatible-runtimes", "java17", "java21",
                "--description", "from the CLI"));
        assertEquals(PREFIX + "cli-layer:1", published.get("LayerVersionArn").asText());
        assertEquals(Files.size(zip), published.at("/Content/CodeSize").asLong());
        JsonNode got = JSON.readTree(cliOk("get-layer-version", "--layer-name", "cli-layer", "--version-number",
                "1"));
        assertEquals("from the CLI", got.get("Description").asText());
        assertEquals(2, got.get("CompatibleRuntimes").size());
        JsonNode byArn = JSON.readTree(cliOk("get-layer-version-by-arn", "--arn", PREFIX + "cli-layer:1"));
        assertEquals(published.at("/Content/CodeSha256").asText(), byArn.at("/Content/CodeSha256").asText());
        JsonNode versions = JSON.readTree(cliOk("list-layer-versions", "--layer-name", "cli-layer"));
        assertEquals(1, versions.get("LayerVersions").size());
        JsonNode layers = JSON.readTree(cliOk("list-layers", "--compatible-runtime", "java21"));
        boolean listed = false;
        for (JsonNode l : layers.get("Layers")) {
            listed |= l.get("LayerName").asText().equals("cli-layer");
        }
        assertTrue(listed, layers.toString());
        cliOk("delete-layer-version", "--layer-name", "cli-layer", "--version-number", "1");
        assertEquals(254, cli("get-layer-version", "--layer-name", "cli-layer", "--version-number", "1").exit());
    }

    @Test
    void layerVersionPermissionsBuildThePolicyAwsBuildsWithRevisionsAndConflicts() throws Exception {
        long version = publish("shared", "layer").version();
        assertThrows(ResourceNotFoundException.class, () -> lambda.getLayerVersionPolicy(b -> b.layerName("shared")
                .versionNumber(version)), "no policy yet");
        AddLayerVersionPermissionResponse account = lambda.addLayerVersionPermission(b -> b.layerName("shared")
                .versionNumber(version).statementId("xaccount").action("lambda:GetLayerVersion")
                .principal("210987654321"));
        JsonNode statement = JSON.readTree(account.statement());
        assertEquals("xaccount", statement.get("Sid").asText());
        assertEquals("Allow", statement.get("Effect").asText());
        assertEquals("arn:aws:iam::210987654321:root", statement.at("/Principal/AWS").asText());
        assertEquals("lambda:GetLayerVersion", statement.get("Action").asText());
        assertEquals(PREFIX + "shared:" + version, statement.get("Resource").asText());

        var org = lambda.addLayerVersionPermission(b -> b.layerName(PREFIX + "shared").versionNumber(version)
                .statementId("org").action("lambda:GetLayerVersion").principal("*")
                .organizationId("o-abcdefghij").revisionId(account.revisionId()));
        JsonNode orgStatement = JSON.readTree(org.statement());
        assertEquals("*", orgStatement.get("Principal").asText());
        assertEquals("o-abcdefghij", orgStatement.at("/Condition/StringEquals/aws:PrincipalOrgID").asText());

        GetLayerVersionPolicyResponse policy = lambda.getLayerVersionPolicy(b -> b.layerName("shared")
                .versionNumber(version));
        assertEquals(org.revisionId(), policy.revisionId());
        JsonNode doc = JSON.readTree(policy.policy());
        assertEquals("2012-10-17", doc.get("Version").asText());
        assertEquals("default", doc.get("Id").asText());
        assertEquals(List.of("xaccount", "org"), doc.get("Statement").findValuesAsText("Sid"));

        assertThrows(ResourceConflictException.class, () -> lambda.addLayerVersionPermission(b -> b
                .layerName("shared").versionNumber(version).statementId("xaccount").action("lambda:GetLayerVersion")
                .principal("*")), "a statement id is used once");
        assertThrows(PreconditionFailedException.class, () -> lambda.addLayerVersionPermission(b -> b
                .layerName("shared").versionNumber(version).statementId("late").action("lambda:GetLayerVersion")
                .principal("*").revisionId(account.revisionId())), "the revision moved on");
        assertThrows(InvalidParameterValueException.class, () -> lambda.addLayerVersionPermission(b -> b
                .layerName("shared").versionNumber(version).statementId("wide").action("lambda:*")
                .principal("*")));
        assertThrows(InvalidParameterValueException.class, () -> lambda.addLayerVersionPermission(b -> b
                .layerName("shared").versionNumber(version).statementId("orgacct").action("lambda:GetLayerVersion")
                .principal("210987654321").organizationId("o-abcdefghij")));
        assertThrows(ResourceNotFoundException.class, () -> lambda.addLayerVersionPermission(b -> b
                .layerName("shared").versionNumber(99L).statementId("x").action("lambda:GetLayerVersion")
                .principal("*")));

        assertThrows(PreconditionFailedException.class, () -> lambda.removeLayerVersionPermission(b -> b
                .layerName("shared").versionNumber(version).statementId("org").revisionId(account.revisionId())));
        lambda.removeLayerVersionPermission(b -> b.layerName("shared").versionNumber(version).statementId("org")
                .revisionId(org.revisionId()));
        assertThrows(ResourceNotFoundException.class, () -> lambda.removeLayerVersionPermission(b -> b
                .layerName("shared").versionNumber(version).statementId("org")));
        var after = lambda.getLayerVersionPolicy(b -> b.layerName("shared").versionNumber(version));
        assertEquals(List.of("xaccount"), JSON.readTree(after.policy()).get("Statement").findValuesAsText("Sid"));
        assertTrue(!after.revisionId().equals(org.revisionId()), "a change gives a new revision");

        // The AWS CLI, on the same version.
        JsonNode added = JSON.readTree(cliOk("add-layer-version-permission", "--layer-name", "shared",
                "--version-number", Long.toString(version), "--statement-id", "everyone", "--action",
                "lambda:GetLayerVersion", "--principal", "*"));
        assertEquals("*", JSON.readTree(added.get("Statement").asText()).get("Principal").asText());
        JsonNode got = JSON.readTree(cliOk("get-layer-version-policy", "--layer-name", "shared",
                "--version-number", Long.toString(version)));
        assertEquals(added.get("RevisionId").asText(), got.get("RevisionId").asText());
        assertEquals(List.of("xaccount", "everyone"), JSON.readTree(got.get("Policy").asText()).get("Statement")
                .findValuesAsText("Sid"));
        cliOk("remove-layer-version-permission", "--layer-name", "shared", "--version-number",
                Long.toString(version), "--statement-id", "everyone");
        AwsCli.Result duplicate = cli("add-layer-version-permission", "--layer-name", "shared", "--version-number",
                Long.toString(version), "--statement-id", "xaccount", "--action", "lambda:GetLayerVersion",
                "--principal", "*");
        assertTrue(duplicate.exit() != 0 && duplicate.err().contains("ResourceConflictException"), duplicate.err());

        lambda.deleteLayerVersion(b -> b.layerName("shared").versionNumber(version));
        long next = publish("shared", "layer").version();
        assertThrows(ResourceNotFoundException.class, () -> lambda.getLayerVersionPolicy(b -> b.layerName("shared")
                .versionNumber(next)), "a new version starts without a policy");
    }

    /** A zip whose {@code bin/greet} has Unix mode 755, as zip -r keeps it, and a plain file of mode 644. */
    private static SdkBytes toolsLayer() throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(bytes)) {
            ZipArchiveEntry tool = new ZipArchiveEntry("bin/greet");
            tool.setUnixMode(0755);
            z.putArchiveEntry(tool);
            z.write("#!/bin/sh\necho \"greeted by an executable layer\"\n".getBytes(StandardCharsets.UTF_8));
            z.closeArchiveEntry();
            ZipArchiveEntry text = new ZipArchiveEntry("bin/readme");
            text.setUnixMode(0644);
            z.putArchiveEntry(text);
            z.write("#!/bin/sh\necho readme\n".getBytes(StandardCharsets.UTF_8));
            z.closeArchiveEntry();
        }
        return SdkBytes.fromByteArray(bytes.toByteArray());
    }

    /** A runtime in shell that answers each event with what {@code greet} (found on PATH, in /opt/bin) prints. */
    private static final String TOOL_BOOTSTRAP = """
            #!/bin/sh
            set -eu
            API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
            while true; do
              HEADERS=$(mktemp)
              curl -sS -D "$HEADERS" -o /dev/null "$API/invocation/next"
              ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)
              rm -f "$HEADERS"
              if [ -x /opt/bin/readme ]; then READ=executable; else READ=plain; fi
              curl -sS -X POST -d "\\"$(greet) / readme $READ\\"" "$API/invocation/$ID/response"
            done
            """;

    @Test
    void anExecutableALayerShipsInOptBinRunsAndUnusedMergedTreesAreRemoved() throws Exception {
        SdkBytes toolsZip = toolsLayer();
        String tools = lambda.publishLayerVersion(b -> b.layerName("tools-bin").content(c -> c.zipFile(toolsZip)))
                .layerVersionArn();
        String text = publish("tools-text", "override-layer").layerVersionArn();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bytes)) {
            z.putNextEntry(new java.util.zip.ZipEntry("bootstrap"));
            z.write(TOOL_BOOTSTRAP.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        SdkBytes code = SdkBytes.fromByteArray(bytes.toByteArray());
        Path merged = server.home().resolve("layers-merged");
        List<String> before = listing(merged);

        lambda.createFunction(b -> b.functionName("tool-runner").runtime("provided.al2023").handler("x")
                .role(Fixtures.ROLE).layers(tools).code(c -> c.zipFile(code)));
        InvokeResponse r = lambda.invoke(b -> b.functionName("tool-runner"));
        assertEquals(null, r.functionError(), r.payload().asUtf8String());
        assertEquals("\"greeted by an executable layer / readme plain\"", r.payload().asUtf8String(),
                "the 755 file runs from PATH, the 644 one is not executable");
        lambda.createFunction(b -> b.functionName("tool-keeper").runtime("provided.al2023").handler("x")
                .role(Fixtures.ROLE).layers(tools, text).code(c -> c.zipFile(code)));
        assertEquals(null, lambda.invoke(b -> b.functionName("tool-keeper")).functionError());

        List<String> added = new ArrayList<>(listing(merged));
        added.removeAll(before);
        assertEquals(2, added.size(), "one merged tree per layer list: " + added);

        lambda.deleteFunction(b -> b.functionName("tool-runner"));
        List<String> left = new ArrayList<>(listing(merged));
        left.removeAll(before);
        assertEquals(1, left.size(), "the deleted function's tree went, the other function's stayed: " + left);
        assertEquals("\"greeted by an executable layer / readme plain\"",
                lambda.invoke(b -> b.functionName("tool-keeper")).payload().asUtf8String(),
                "the function whose tree stayed still runs");
        lambda.deleteFunction(b -> b.functionName("tool-keeper"));
        List<String> none = new ArrayList<>(listing(merged));
        none.removeAll(before);
        assertTrue(none.isEmpty(), none.toString());
    }

    private static List<String> listing(Path dir) throws java.io.IOException {
        try (var children = Files.list(dir)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private String cliOk(String... args) throws Exception {
        String out = AwsCli.lambdaOk(server.endpoint(), args);
        assertNotNull(out);
        return out;
    }

    private AwsCli.Result cli(String... args) throws Exception {
        return AwsCli.lambda(server.endpoint(), args);
    }
}
