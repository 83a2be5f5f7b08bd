package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.FunctionUrlConfig;
import software.amazon.awssdk.services.lambda.model.GetFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionUrlConfigResponse;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Function URLs end to end: the configuration API through the SDK and the AWS CLI, and requests from curl (by host
 * name, as a browser sends them) and the JDK's HttpClient (by the path form) to real functions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class FunctionUrlIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIXTURES = "dev.thaw.examples.fixtures.";
    private static final String KEY_ID = "AKIDTHAWURLTEST";
    private static final String SECRET = "thaw-url-test-secret";
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, String> urls = new LinkedHashMap<>();
    private Path work;

    @BeforeAll
    void deploy() throws IOException {
        work = Files.createTempDirectory("thaw-url-it-");
        Fixtures.deploy(lambda, "url-echo", "test-functions", FIXTURES + "UrlEcho", b -> b.timeout(10));
        urls.put("url-echo", publicUrl("url-echo", null));
        for (String method : List.of("bare", "object", "binary", "malformed", "created")) {
            Fixtures.deploy(lambda, "url-" + method, "test-functions", FIXTURES + "UrlResults::" + method,
                    b -> b.timeout(10));
        }
        for (String method : List.of("bare", "object", "binary", "malformed")) {
            urls.put("url-" + method, publicUrl("url-" + method, null));
        }
        urls.put("url-created", lambda.createFunctionUrlConfig(b -> b.functionName("url-created")
                .authType(FunctionUrlAuthType.NONE).cors(c -> c.allowOrigins("https://app.example")
                        .allowMethods("GET", "POST").allowHeaders("content-type").exposeHeaders("x-custom")
                        .maxAge(600))).functionUrl());
        allowAnyone("url-created", null);
        Fixtures.deploy(lambda, "url-thrower", "test-functions", FIXTURES + "Thrower", b -> b.timeout(10));
        urls.put("url-thrower", publicUrl("url-thrower", null));
        Fixtures.deploy(lambda, "url-iam", "test-functions", FIXTURES + "UrlEcho", b -> b.timeout(10));
        urls.put("url-iam", lambda.createFunctionUrlConfig(b -> b.functionName("url-iam")
                .authType(FunctionUrlAuthType.AWS_IAM)).functionUrl());
    }

    @AfterAll
    void removeWork() throws IOException {
        try (var files = Files.list(work)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(work);
    }

    // --- the configuration API ------------------------------------------------------------------------------

    @Test
    void theSdkCreatesGetsUpdatesListsAndDeletesUrlConfigs() {
        Fixtures.deploy(lambda, "url-crud", "test-functions", FIXTURES + "Echo", b -> b.timeout(10));
        CreateFunctionUrlConfigResponse created = lambda.createFunctionUrlConfig(b -> b.functionName("url-crud")
                .authType(FunctionUrlAuthType.AWS_IAM).cors(c -> c.allowOrigins("*").maxAge(60)));
        assertTrue(created.functionUrl().matches("http://[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.localhost:"
                + server.urlPort() + "/"), created.functionUrl());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:url-crud", created.functionArn());
        assertEquals(FunctionUrlAuthType.AWS_IAM, created.authType());
        assertEquals(List.of("*"), created.cors().allowOrigins());
        assertEquals(60, created.cors().maxAge());
        assertEquals("BUFFERED", created.invokeModeAsString());
        assertTrue(created.creationTime().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"));

        assertThrows(ResourceConflictException.class, () -> lambda.createFunctionUrlConfig(b -> b
                .functionName("url-crud").authType(FunctionUrlAuthType.NONE)));

        GetFunctionUrlConfigResponse got = lambda.getFunctionUrlConfig(b -> b.functionName("url-crud"));
        assertEquals(created.functionUrl(), got.functionUrl());
        assertEquals(created.creationTime(), got.lastModifiedTime());

        UpdateFunctionUrlConfigResponse updated = lambda.updateFunctionUrlConfig(b -> b.functionName("url-crud")
                .authType(FunctionUrlAuthType.NONE));
        assertEquals(FunctionUrlAuthType.NONE, updated.authType());
        assertEquals(List.of("*"), updated.cors().allowOrigins(), "what the update left out stays");
        assertNotEquals(created.creationTime(), updated.lastModifiedTime());
        assertEquals(created.creationTime(), updated.creationTime());

        lambda.publishVersion(b -> b.functionName("url-crud"));
        lambda.createAlias(b -> b.functionName("url-crud").name("live").functionVersion("1"));
        FunctionUrlConfig aliased = toConfig(lambda.createFunctionUrlConfig(b -> b.functionName("url-crud")
                .qualifier("live").authType(FunctionUrlAuthType.NONE)));
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:url-crud:live", aliased.functionArn());
        assertNotEquals(created.functionUrl(), aliased.functionUrl());

        List<FunctionUrlConfig> listed = lambda.listFunctionUrlConfigs(b -> b.functionName("url-crud"))
                .functionUrlConfigs();
        assertEquals(2, listed.size());
        List<FunctionUrlConfig> firstPage = lambda.listFunctionUrlConfigs(b -> b.functionName("url-crud")
                .maxItems(1)).functionUrlConfigs();
        assertEquals(1, firstPage.size());

        assertThrows(ResourceNotFoundException.class, () -> lambda.createFunctionUrlConfig(b -> b
                .functionName("url-crud").qualifier("nope").authType(FunctionUrlAuthType.NONE)));
        assertThrows(InvalidParameterValueException.class, () -> lambda.createFunctionUrlConfig(b -> b
                .functionName("url-crud").qualifier("1").authType(FunctionUrlAuthType.NONE)));
        assertThrows(InvalidParameterValueException.class, () -> lambda.updateFunctionUrlConfig(b -> b
                .functionName("url-crud").invokeMode("RESPONSE_STREAM")));

        lambda.deleteFunctionUrlConfig(b -> b.functionName("url-crud"));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunctionUrlConfig(b -> b
                .functionName("url-crud")));
        lambda.deleteAlias(b -> b.functionName("url-crud").name("live"));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunctionUrlConfig(b -> b
                .functionName("url-crud").qualifier("live")), "an alias takes its URL with it");
        lambda.deleteFunction(b -> b.functionName("url-crud"));
    }

    private static FunctionUrlConfig toConfig(CreateFunctionUrlConfigResponse r) {
        return FunctionUrlConfig.builder().functionUrl(r.functionUrl()).functionArn(r.functionArn()).build();
    }

    @Test
    void theAwsCliManagesUrlConfigs() throws Exception {
        Fixtures.deploy(lambda, "url-cli", "test-functions", FIXTURES + "Echo", b -> b.timeout(10));
        JsonNode created = JSON.readTree(cliOk("create-function-url-config", "--function-name", "url-cli",
                "--auth-type", "NONE", "--cors", "AllowOrigins=https://a.example,AllowMethods=GET,MaxAge=30"));
        assertEquals("NONE", created.get("AuthType").asText());
        assertEquals("https://a.example", created.at("/Cors/AllowOrigins/0").asText());
        JsonNode got = JSON.readTree(cliOk("get-function-url-config", "--function-name", "url-cli"));
        assertEquals(created.get("FunctionUrl").asText(), got.get("FunctionUrl").asText());
        JsonNode updated = JSON.readTree(cliOk("update-function-url-config", "--function-name", "url-cli",
                "--auth-type", "AWS_IAM"));
        assertEquals("AWS_IAM", updated.get("AuthType").asText());
        JsonNode listed = JSON.readTree(cliOk("list-function-url-configs", "--function-name", "url-cli"));
        assertEquals(1, listed.get("FunctionUrlConfigs").size());
        cliOk("delete-function-url-config", "--function-name", "url-cli");
        CommandResult missing = cli("get-function-url-config", "--function-name", "url-cli");
        assertEquals(254, missing.exit());
        assertTrue(missing.err().contains("ResourceNotFoundException"), missing.err());
        lambda.deleteFunction(b -> b.functionName("url-cli"));
    }

    // --- requests -------------------------------------------------------------------------------------------

    @Test
    void aGetWithAQueryAndCookiesReachesTheFunctionAsAPayloadTwoEvent() throws Exception {
        String url = urls.get("url-echo");
        CommandResult r = curl(url + "shop/items?color=red&size=a%20b&size=c", "-H", "Cookie: sid=1; theme=dark",
                "-H", "X-Repeat: one", "-H", "X-Repeat: two");
        assertEquals(200, r.status(), r.out());
        JsonNode event = JSON.readTree(r.body());
        assertEquals("2.0", event.get("version").asText());
        assertEquals("$default", event.get("routeKey").asText());
        assertEquals("/shop/items", event.get("rawPath").asText());
        assertEquals("color=red&size=a%20b&size=c", event.get("rawQueryString").asText());
        assertEquals("red", event.at("/queryStringParameters/color").asText());
        assertEquals("a b,c", event.at("/queryStringParameters/size").asText());
        assertEquals("[\"sid=1\",\"theme=dark\"]", event.get("cookies").toString());
        assertEquals("one,two", event.at("/headers/x-repeat").asText());
        assertEquals(URI.create(url).getAuthority(), event.at("/headers/host").asText());
        JsonNode ctx = event.get("requestContext");
        String urlId = URI.create(url).getHost().split("\\.")[0];
        assertEquals(urlId, ctx.get("apiId").asText());
        assertEquals("anonymous", ctx.get("accountId").asText());
        assertEquals(URI.create(url).getHost(), ctx.get("domainName").asText());
        assertEquals("GET", ctx.at("/http/method").asText());
        assertEquals("127.0.0.1", ctx.at("/http/sourceIp").asText());
        assertTrue(ctx.at("/http/userAgent").asText().startsWith("curl/"));
        assertEquals(r.header("x-amzn-requestid").getFirst(), ctx.get("requestId").asText(),
                "the event's requestId is the invocation's");
        assertTrue(event.path("body").isMissingNode());
        assertEquals(List.of("flavour=oat; Path=/", "size=large"), r.header("set-cookie"));
        assertEquals(List.of("yes"), r.header("x-echo"));
    }

    @Test
    void jsonAndBinaryBodiesArriveAsLambdaSendsThem() throws Exception {
        String base = pathForm("url-echo");
        HttpResponse<byte[]> json = http.send(HttpRequest.newBuilder(URI.create(base + "orders"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"tea\"}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, json.statusCode());
        JsonNode event = JSON.readTree(json.body());
        assertEquals("/orders", event.get("rawPath").asText(), "the path form strips the url-id");
        assertEquals("POST", event.at("/requestContext/http/method").asText());
        assertEquals("{\"item\":\"tea\"}", event.get("body").asText());
        assertEquals(false, event.get("isBase64Encoded").asBoolean());

        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        HttpResponse<byte[]> binary = http.send(HttpRequest.newBuilder(URI.create(base + "upload"))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode binaryEvent = JSON.readTree(binary.body());
        assertEquals(true, binaryEvent.get("isBase64Encoded").asBoolean());
        assertArrayEquals(bytes, Base64.getDecoder().decode(binaryEvent.get("body").asText()));
    }

    @Test
    void resultsMapToHttpAsLambdaMapsThem() throws Exception {
        HttpResponse<byte[]> bare = get(pathForm("url-bare"));
        assertEquals(200, bare.statusCode());
        assertEquals("hello, bare", new String(bare.body(), StandardCharsets.UTF_8));
        assertEquals("application/json", bare.headers().firstValue("content-type").orElseThrow());

        HttpResponse<byte[]> object = get(pathForm("url-object"));
        assertEquals(200, object.statusCode());
        assertEquals("no status code", JSON.readTree(object.body()).get("message").asText());

        HttpResponse<byte[]> binary = get(pathForm("url-binary"));
        assertEquals("application/octet-stream", binary.headers().firstValue("content-type").orElseThrow());
        assertEquals(256, binary.body().length);
        assertEquals((byte) 255, binary.body()[255]);

        CommandResult created = curl(urls.get("url-created"), "-H", "Origin: https://app.example");
        assertEquals(201, created.status());
        assertEquals("created", created.body());
        assertEquals(List.of("made"), created.header("x-custom"));
        assertEquals(List.of("text/plain"), created.header("content-type"));
        assertEquals(List.of("session=abc; HttpOnly"), created.header("set-cookie"));
        assertEquals(List.of("https://app.example"), created.header("access-control-allow-origin"),
                "the URL's CORS configuration replaces the function's own header");
        assertEquals(List.of("x-custom"), created.header("access-control-expose-headers"));
    }

    @Test
    void aCorsPreflightIsAnsweredFromTheConfiguration() throws Exception {
        CommandResult allowed = curl(urls.get("url-created"), "-X", "OPTIONS", "-H", "Origin: https://app.example",
                "-H", "Access-Control-Request-Method: POST", "-H", "Access-Control-Request-Headers: content-type");
        assertEquals(200, allowed.status());
        assertEquals(List.of("https://app.example"), allowed.header("access-control-allow-origin"));
        assertEquals(List.of("GET,POST"), allowed.header("access-control-allow-methods"));
        assertEquals(List.of("content-type"), allowed.header("access-control-allow-headers"));
        assertEquals(List.of("600"), allowed.header("access-control-max-age"));
        assertTrue(allowed.body().isEmpty(), "the function is not invoked for a preflight");

        CommandResult refused = curl(urls.get("url-created"), "-X", "OPTIONS", "-H", "Origin: https://evil.example",
                "-H", "Access-Control-Request-Method: POST");
        assertTrue(refused.header("access-control-allow-origin").isEmpty());
    }

    @Test
    void aFunctionErrorOrAMalformedResultIsA502() throws Exception {
        HttpResponse<byte[]> thrown = get(pathForm("url-thrower"));
        assertEquals(502, thrown.statusCode());
        assertEquals("{\"Message\":\"Internal Server Error\"}", new String(thrown.body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> malformed = get(pathForm("url-malformed"));
        assertEquals(502, malformed.statusCode());
    }

    @Test
    void anUnknownUrlIsRefusedAndARequestNamingNoUrlIsNotFound() throws Exception {
        CommandResult unknown = curl("http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lambda-url.us-east-1.localhost:"
                + server.urlPort() + "/");
        assertEquals(403, unknown.status());
        assertEquals("{\"Message\":null}", unknown.body());
        assertEquals(List.of("AccessDeniedException"), unknown.header("x-amzn-errortype"));
        HttpResponse<byte[]> nothing = get("http://127.0.0.1:" + server.urlPort() + "/favicon.ico");
        assertEquals(404, nothing.statusCode());
    }

    @Test
    void aBodyOverSixMegabytesIsRefusedWith413() throws Exception {
        byte[] big = new byte[6 * 1024 * 1024 + 1];
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(pathForm("url-echo")))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        assertEquals("RequestTooLargeException", r.headers().firstValue("x-amzn-ErrorType").orElseThrow());
        // Under the limit as a body, over it as base64 in the event.
        byte[] inflated = new byte[5 * 1024 * 1024];
        HttpResponse<String> r2 = http.send(HttpRequest.newBuilder(URI.create(pathForm("url-echo")))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(inflated)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r2.statusCode(), r2.body());
        assertEquals(200, get(pathForm("url-bare")).statusCode(), "the listener serves on");
    }

    @Test
    void aThrottledFunctionAnswers429() throws Exception {
        Fixtures.deploy(lambda, "url-closed", "test-functions", FIXTURES + "UrlResults::bare", b -> b.timeout(10));
        String url = publicUrl("url-closed", null);
        lambda.putFunctionConcurrency(b -> b.functionName("url-closed").reservedConcurrentExecutions(0));
        CommandResult r = curl(url);
        assertEquals(429, r.status(), r.out());
        assertEquals(List.of("TooManyRequestsException"), r.header("x-amzn-errortype"));
        lambda.deleteFunction(b -> b.functionName("url-closed"));
    }

    @Test
    void anAwsIamUrlServesOnlyRequestsSignedWithAServerKey() throws Exception {
        Path keys = Path.of("src/test/resources/function-url-access-keys");
        try (ThawServerProcess keyed = ThawServerProcess.startWithAccessKeys(keys, KEY_ID, SECRET);
             LambdaClient signed = keyed.lambda()) {
            Fixtures.deploy(signed, "iam", "test-functions", FIXTURES + "UrlEcho", b -> b.timeout(10));
            String url = signed.createFunctionUrlConfig(b -> b.functionName("iam")
                    .authType(FunctionUrlAuthType.AWS_IAM)).functionUrl();
            CommandResult unsigned = curl(url);
            assertEquals(403, unsigned.status());
            assertTrue(unsigned.body().contains("Forbidden"), unsigned.body());

            CommandResult get = curl(url + "private?x=1", "--aws-sigv4", "aws:amz:us-east-1:lambda",
                    "--user", KEY_ID + ":" + SECRET);
            assertEquals(200, get.status(), get.out());
            JsonNode event = JSON.readTree(get.body());
            assertEquals(KEY_ID, event.at("/requestContext/authorizer/iam/accessKey").asText());
            assertEquals("000000000000", event.at("/requestContext/accountId").asText());

            CommandResult post = curl(url + "private", "--aws-sigv4", "aws:amz:us-east-1:lambda",
                    "--user", KEY_ID + ":" + SECRET, "-H", "Content-Type: application/json", "--data", "{\"a\":1}");
            assertEquals(200, post.status(), post.out());
            assertEquals("{\"a\":1}", JSON.readTree(post.body()).get("body").asText());

            CommandResult wrongSecret = curl(url, "--aws-sigv4", "aws:amz:us-east-1:lambda",
                    "--user", KEY_ID + ":not-the-secret");
            assertEquals(403, wrongSecret.status());
        }
    }

    @Test
    void withoutAccessKeysAnAwsIamUrlRefusesEvenASignedRequest() throws Exception {
        CommandResult r = curl(urls.get("url-iam"), "--aws-sigv4", "aws:amz:us-east-1:lambda",
                "--user", KEY_ID + ":" + SECRET);
        assertEquals(403, r.status(), r.out());
        assertEquals(List.of("AccessDeniedException"), r.header("x-amzn-errortype"));
        assertEquals(403, curl(urls.get("url-iam")).status());
    }

    @Test
    void anAliasUrlInvokesTheAliasedVersion() throws Exception {
        Fixtures.deploy(lambda, "url-versioned", "test-functions", FIXTURES + "Echo", b -> b.timeout(10));
        lambda.publishVersion(b -> b.functionName("url-versioned"));
        lambda.createAlias(b -> b.functionName("url-versioned").name("live").functionVersion("1"));
        String url = publicUrl("url-versioned", "live");
        CommandResult r = curl(url);
        assertEquals(200, r.status(), r.out());
        JsonNode out = JSON.readTree(r.body());
        assertEquals("1", out.get("functionVersion").asText());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:url-versioned:live",
                out.get("invokedFunctionArn").asText());
        assertEquals("2.0", out.get("version").asText(), "Echo returns the event it got");
        lambda.deleteFunction(b -> b.functionName("url-versioned"));
    }

    @Test
    void anApiGatewayV2HttpEventHandlerServesAUrl() throws Exception {
        Fixtures.deploy(lambda, "url-events", "events", "dev.thaw.examples.events.ApiV2", b -> b.timeout(30)
                .memorySize(512));
        String url = publicUrl("url-events", null);
        CommandResult r = curl(url + "typed?x=1", "-H", "Cookie: k=v");
        assertEquals(200, r.status(), r.out());
        JsonNode out = JSON.readTree(r.body());
        assertEquals("2.0", out.get("version").asText());
        assertEquals("/typed", out.get("rawPath").asText());
        assertEquals("1", out.at("/queryStringParameters/x").asText());
        assertEquals("k=v", out.at("/cookies/0").asText());
        assertEquals("GET", out.get("method").asText());
        lambda.deleteFunction(b -> b.functionName("url-events"));
    }

    @Test
    void theSpringExampleServesThroughItsUrl() throws Exception {
        Fixtures.deploy(lambda, "url-spring", "spring", "dev.thaw.examples.spring.HttpApiV2Handler",
                b -> b.timeout(60).memorySize(1024));
        String url = publicUrl("url-spring", null);
        CommandResult pet = curl(url + "pets/7");
        assertEquals(200, pet.status(), pet.out());
        assertEquals("7", JSON.readTree(pet.body()).get("id").asText());
        assertTrue(pet.header("content-type").getFirst().startsWith("application/json"), pet.out());

        CommandResult created = curl(url + "pets", "-H", "Content-Type: application/json", "--data",
                "{\"id\":\"42\",\"name\":\"Rex\",\"breed\":\"Collie\",\"dateOfBirth\":\"2020-01-01\"}");
        assertEquals(201, created.status(), created.out());
        assertEquals("Rex", JSON.readTree(created.body()).get("name").asText());
        assertEquals(List.of("last-pet=42; Path=/"), created.header("set-cookie"));

        CommandResult missing = curl(url + "no-such-page");
        assertEquals(404, missing.status(), "Spring's own status comes through");
        lambda.deleteFunction(b -> b.functionName("url-spring"));
    }

    @Test
    void theSpringExampleServesThroughAnAliasUrlFromARestoredSnapshot() throws Exception {
        Fixtures.deploy(lambda, "url-spring-snap", "spring", "dev.thaw.examples.spring.HttpApiV2Handler",
                b -> b.timeout(60).memorySize(1024).snapStart(s -> s.applyOn("PublishedVersions")));
        String version = lambda.publishVersion(b -> b.functionName("url-spring-snap")).version();
        lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName("url-spring-snap").qualifier(version));
        lambda.createAlias(b -> b.functionName("url-spring-snap").name("live").functionVersion(version));
        String url = publicUrl("url-spring-snap", "live");
        CommandResult pet = curl(url + "pets/9");
        assertEquals(200, pet.status(), pet.out());
        assertEquals("9", JSON.readTree(pet.body()).get("id").asText());
        String log = server.http("GET", "/thaw/v1/logs/url-spring-snap", null).body();
        assertTrue(log.contains("Restore Duration"), "the request was served by a copy restored from the snapshot:\n"
                + log);
        lambda.deleteFunction(b -> b.functionName("url-spring-snap"));
    }

    @Test
    void aNoneUrlServesOnlyOnceItsPolicyAllowsAnyoneToInvokeIt() throws Exception {
        Fixtures.deploy(lambda, "url-private", "test-functions", FIXTURES + "UrlResults::bare", b -> b.timeout(10));
        String url = lambda.createFunctionUrlConfig(b -> b.functionName("url-private")
                .authType(FunctionUrlAuthType.NONE)).functionUrl();
        CommandResult refused = curl(url);
        assertEquals(403, refused.status(), "as on AWS: AuthType NONE still needs lambda:InvokeFunctionUrl for *");
        lambda.addPermission(b -> b.functionName("url-private").statementId("someone").principal("123456789012")
                .action("lambda:InvokeFunctionUrl").functionUrlAuthType(FunctionUrlAuthType.NONE));
        assertEquals(403, curl(url).status(), "a grant to one account does not open the URL to anyone");
        allowAnyone("url-private", null);
        assertEquals(200, curl(url).status());
        lambda.removePermission(b -> b.functionName("url-private").statementId("public-url"));
        assertEquals(403, curl(url).status());
        lambda.deleteFunction(b -> b.functionName("url-private"));
    }

    // --- helpers --------------------------------------------------------------------------------------------

    /** An AuthType NONE URL open to anyone: the URL and the permission AWS requires for it. */
    private String publicUrl(String function, String qualifier) {
        String url = lambda.createFunctionUrlConfig(b -> b.functionName(function).qualifier(qualifier)
                .authType(FunctionUrlAuthType.NONE)).functionUrl();
        allowAnyone(function, qualifier);
        return url;
    }

    private void allowAnyone(String function, String qualifier) {
        lambda.addPermission(b -> b.functionName(function).qualifier(qualifier).statementId("public-url")
                .action("lambda:InvokeFunctionUrl").principal("*").functionUrlAuthType(FunctionUrlAuthType.NONE));
    }

    private String pathForm(String function) {
        String urlId = URI.create(urls.get(function)).getHost().split("\\.")[0];
        return "http://127.0.0.1:" + server.urlPort() + "/" + urlId + "/";
    }

    private HttpResponse<byte[]> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    record CommandResult(int exit, int status, Map<String, List<String>> headers, String body, String out,
                         String err) {
        List<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }
    }

    /** curl as a client: its status, headers (lower-cased names) and body. */
    private CommandResult curl(String url, String... args) throws Exception {
        Path headers = work.resolve("headers");
        Path body = work.resolve("body");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-D", headers.toString(), "-o", body.toString(),
                "-w", "%{http_code}", "--max-time", "120"));
        cmd.addAll(List.of(args));
        cmd.add(url);
        CommandResult r = run(cmd);
        Map<String, List<String>> parsed = new LinkedHashMap<>();
        for (String line : Files.readAllLines(headers, StandardCharsets.ISO_8859_1)) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("HTTP/")) {
                parsed.computeIfAbsent(line.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).strip());
            }
        }
        String text = Files.readString(body, StandardCharsets.UTF_8);
        return new CommandResult(r.exit(), Integer.parseInt(r.out().strip()), parsed, text,
                r.out() + "\n" + String.join("\n", Files.readAllLines(headers)) + "\n" + text, r.err());
    }

    private CommandResult cli(String... args) throws Exception {
        return run(AwsCli.lambdaCommand(server.endpoint(), args));
    }

    private String cliOk(String... args) throws Exception {
        CommandResult r = cli(args);
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r.err());
        return r.out();
    }

    private CommandResult run(List<String> cmd) throws Exception {
        AwsCli.Result r = AwsCli.run(work, cmd, Map.of());
        return new CommandResult(r.exit(), 0, Map.of(), "", r.out(), r.err());
    }
}
