package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.GetAccountSettingsResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.LogFormat;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.TracingMode;
import software.amazon.awssdk.services.lambda.model.UpdateRuntimeOn;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The calls deployment tools (Terraform, CDK, SAM, the Serverless Framework) make besides the function itself:
 * tags, resource policies, account settings, code signing and runtime management, and the settings Thaw stores
 * without acting on them, through the SDK and the AWS CLI.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class DeploymentToolsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ECHO = "dev.thaw.examples.fixtures.Echo";
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;

    private String arn(String name) {
        return "arn:aws:lambda:us-east-1:000000000000:function:" + name;
    }

    @Test
    void tagsGivenAtCreateAreReturnedAndTheTaggingApiChangesThem() {
        Fixtures.deploy(lambda, "tagged", "test-functions", ECHO, b -> b.tags(Map.of("team", "pets", "env", "dev")));
        GetFunctionResponse got = lambda.getFunction(b -> b.functionName("tagged"));
        assertEquals(Map.of("team", "pets", "env", "dev"), got.tags());

        lambda.tagResource(b -> b.resource(arn("tagged")).tags(Map.of("env", "prod", "cost", "42")));
        lambda.untagResource(b -> b.resource(arn("tagged")).tagKeys("team"));
        assertEquals(Map.of("env", "prod", "cost", "42"), lambda.listTags(b -> b.resource(arn("tagged"))).tags());
        assertThrows(InvalidParameterValueException.class, () -> lambda.tagResource(b -> b.resource(arn("tagged"))
                .tags(Map.of("aws:reserved", "x"))));
        assertThrows(ResourceNotFoundException.class, () -> lambda.listTags(b -> b.resource(arn("nobody"))));
        lambda.deleteFunction(b -> b.functionName("tagged"));
    }

    @Test
    void permissionsBuildThePolicyDocumentAwsBuilds() throws Exception {
        Fixtures.deploy(lambda, "guarded", "test-functions", ECHO, b -> { });
        String statement = lambda.addPermission(b -> b.functionName("guarded").statementId("s3-invoke")
                .action("lambda:InvokeFunction").principal("s3.amazonaws.com")
                .sourceArn("arn:aws:s3:::bucket").sourceAccount("123456789012")).statement();
        JsonNode s = JSON.readTree(statement);
        assertEquals("s3-invoke", s.get("Sid").asText());
        assertEquals("Allow", s.get("Effect").asText());
        assertEquals("s3.amazonaws.com", s.at("/Principal/Service").asText());
        assertEquals(arn("guarded"), s.get("Resource").asText());
        assertEquals("arn:aws:s3:::bucket", s.at("/Condition/ArnLike/AWS:SourceArn").asText());
        assertEquals("123456789012", s.at("/Condition/StringEquals/AWS:SourceAccount").asText());

        lambda.addPermission(b -> b.functionName("guarded").statementId("url").action("lambda:InvokeFunctionUrl")
                .principal("*").functionUrlAuthType("NONE"));
        assertThrows(ResourceConflictException.class, () -> lambda.addPermission(b -> b.functionName("guarded")
                .statementId("url").action("lambda:InvokeFunction").principal("123456789012")));

        JsonNode policy = JSON.readTree(lambda.getPolicy(b -> b.functionName("guarded")).policy());
        assertEquals("2012-10-17", policy.get("Version").asText());
        assertEquals(2, policy.get("Statement").size());
        assertEquals("*", policy.at("/Statement/1/Principal").asText());
        assertEquals("NONE", policy.at("/Statement/1/Condition/StringEquals/lambda:FunctionUrlAuthType").asText());

        lambda.removePermission(b -> b.functionName("guarded").statementId("s3-invoke"));
        lambda.removePermission(b -> b.functionName("guarded").statementId("url"));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getPolicy(b -> b.functionName("guarded")));
        assertThrows(ResourceNotFoundException.class, () -> lambda.removePermission(b -> b.functionName("guarded")
                .statementId("url")));
        lambda.deleteFunction(b -> b.functionName("guarded"));
    }

    @Test
    void accountSettingsCodeSigningRuntimeManagementAndRecursionAnswerAsThawIs() {
        Fixtures.deploy(lambda, "counted", "test-functions", ECHO, b -> { });
        lambda.putFunctionConcurrency(b -> b.functionName("counted").reservedConcurrentExecutions(5));
        GetAccountSettingsResponse settings = lambda.getAccountSettings(b -> { });
        assertEquals(64, settings.accountLimit().concurrentExecutions());
        assertEquals(59, settings.accountLimit().unreservedConcurrentExecutions());
        assertEquals(262_144_000L, settings.accountLimit().codeSizeUnzipped());
        assertTrue(settings.accountUsage().functionCount() >= 1);
        assertTrue(settings.accountUsage().totalCodeSize() > 0);

        assertEquals("", lambda.getFunctionCodeSigningConfig(b -> b.functionName("counted")).codeSigningConfigArn());
        assertEquals(UpdateRuntimeOn.AUTO, lambda.getRuntimeManagementConfig(b -> b.functionName("counted"))
                .updateRuntimeOn());
        assertEquals(UpdateRuntimeOn.AUTO, lambda.putRuntimeManagementConfig(b -> b.functionName("counted")
                .updateRuntimeOn(UpdateRuntimeOn.AUTO)).updateRuntimeOn());
        assertEquals(RecursiveLoop.TERMINATE, lambda.getFunctionRecursionConfig(b -> b.functionName("counted"))
                .recursiveLoop());
        lambda.putFunctionRecursionConfig(b -> b.functionName("counted").recursiveLoop(RecursiveLoop.ALLOW));
        assertEquals(RecursiveLoop.ALLOW, lambda.getFunctionRecursionConfig(b -> b.functionName("counted"))
                .recursiveLoop());
        lambda.deleteFunction(b -> b.functionName("counted"));
    }

    @Test
    void settingsThawDoesNotActOnAreStoredAndReturnedSoToolsSeeNoDrift() {
        Fixtures.deploy(lambda, "inert", "test-functions", ECHO, b -> b
                .tracingConfig(t -> t.mode(TracingMode.ACTIVE))
                .kmsKeyArn("arn:aws:kms:us-east-1:000000000000:key/k")
                .vpcConfig(v -> v.subnetIds("subnet-1").securityGroupIds("sg-1"))
                .loggingConfig(l -> l.logFormat(LogFormat.TEXT).logGroup("/custom/group"))
                .architectures(Architecture.X86_64));
        var c = lambda.getFunctionConfiguration(b -> b.functionName("inert"));
        assertEquals(TracingMode.ACTIVE, c.tracingConfig().mode());
        assertEquals("arn:aws:kms:us-east-1:000000000000:key/k", c.kmsKeyArn());
        assertEquals(List.of("subnet-1"), c.vpcConfig().subnetIds());
        assertEquals(List.of("sg-1"), c.vpcConfig().securityGroupIds());
        assertEquals("/custom/group", c.loggingConfig().logGroup());
        assertEquals(List.of(Architecture.X86_64), c.architectures());

        var updated = lambda.updateFunctionConfiguration(b -> b.functionName("inert")
                .tracingConfig(t -> t.mode(TracingMode.PASS_THROUGH)));
        assertEquals(TracingMode.PASS_THROUGH, updated.tracingConfig().mode());
        assertEquals("arn:aws:kms:us-east-1:000000000000:key/k", updated.kmsKeyArn(), "what the update left out stays");
        lambda.waiter().waitUntilFunctionUpdatedV2(b -> b.functionName("inert"));
        var detached = lambda.updateFunctionConfiguration(b -> b.functionName("inert")
                .vpcConfig(v -> v.subnetIds(List.of()).securityGroupIds(List.of())));
        assertTrue(detached.vpcConfig() == null || detached.vpcConfig().subnetIds().isEmpty());
        lambda.waiter().waitUntilFunctionUpdatedV2(b -> b.functionName("inert"));
        var invoked = lambda.invoke(b -> b.functionName("inert"));
        assertEquals(200, invoked.statusCode());
        assertEquals(null, invoked.functionError(), "the function runs as ever");
        lambda.deleteFunction(b -> b.functionName("inert"));
    }

    @Test
    void settingsWhoseAbsenceWouldSurpriseAreRefused() {
        assertThrows(InvalidParameterValueException.class, () -> Fixtures.deploy(lambda, "arm", "test-functions",
                ECHO, b -> b.architectures(Architecture.ARM64)));
        assertThrows(InvalidParameterValueException.class, () -> Fixtures.deploy(lambda, "dlq", "test-functions",
                ECHO, b -> b.deadLetterConfig(d -> d.targetArn("arn:aws:sqs:us-east-1:000000000000:q"))));
        assertThrows(InvalidParameterValueException.class, () -> Fixtures.deploy(lambda, "efs", "test-functions",
                ECHO, b -> b.fileSystemConfigs(f -> f.arn("arn:aws:elasticfilesystem:x").localMountPath("/mnt/x"))));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(b -> b.functionName("arm")),
                "a refused create leaves no function");
    }

    @Test
    void eventInvokeConfigsAreUpdatedInPlaceAndListed() {
        Fixtures.deploy(lambda, "evented", "test-functions", ECHO, b -> { });
        assertTrue(lambda.listFunctionEventInvokeConfigs(b -> b.functionName("evented")).functionEventInvokeConfigs()
                .isEmpty());
        assertThrows(ResourceNotFoundException.class, () -> lambda.updateFunctionEventInvokeConfig(b -> b
                .functionName("evented").maximumRetryAttempts(1)), "as on Lambda, an update needs a config");
        lambda.putFunctionEventInvokeConfig(b -> b.functionName("evented").maximumRetryAttempts(1));
        var updated = lambda.updateFunctionEventInvokeConfig(b -> b.functionName("evented")
                .maximumEventAgeInSeconds(120));
        assertEquals(1, updated.maximumRetryAttempts(), "an update keeps what it does not name");
        assertEquals(120, updated.maximumEventAgeInSeconds());
        var listed = lambda.listFunctionEventInvokeConfigs(b -> b.functionName("evented")).functionEventInvokeConfigs();
        assertEquals(1, listed.size());
        assertEquals(1, listed.getFirst().maximumRetryAttempts());
        assertThrows(InvalidParameterValueException.class, () -> lambda.updateFunctionEventInvokeConfig(b -> b
                .functionName("evented").maximumRetryAttempts(3)));
        lambda.deleteFunction(b -> b.functionName("evented"));
    }

    @Test
    void theAwsCliTagsGrantsAndReadsAccountSettings() throws Exception {
        Fixtures.deploy(lambda, "cli-tools", "test-functions", ECHO, b -> { });
        cliOk("tag-resource", "--resource", arn("cli-tools"), "--tags", "owner=ops");
        assertEquals("ops", JSON.readTree(cliOk("list-tags", "--resource", arn("cli-tools")))
                .at("/Tags/owner").asText());
        cliOk("add-permission", "--function-name", "cli-tools", "--statement-id", "apigw", "--action",
                "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com");
        JsonNode policy = JSON.readTree(JSON.readTree(cliOk("get-policy", "--function-name", "cli-tools"))
                .get("Policy").asText());
        assertEquals("apigw", policy.at("/Statement/0/Sid").asText());
        assertTrue(JSON.readTree(cliOk("get-account-settings")).at("/AccountLimit/ConcurrentExecutions").asInt() > 0);
        lambda.deleteFunction(b -> b.functionName("cli-tools"));
    }

    private String cliOk(String... args) throws Exception {
        return AwsCli.lambdaOk(server.endpoint(), args);
    }
}
