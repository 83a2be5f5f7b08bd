package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.Runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Typed events from aws-lambda-java-events receive correctly populated objects for AWS's documented sample
 * payloads (src/test/resources/events/*.json). Each handler of the "events" example returns the fields it saw;
 * the values must match the sample, including the fields AWS's runtime maps specially (Records, eventSourceARN,
 * Sns, detail-type, DynamoDB's PascalCase stream record and attribute values, S3's constructor-only classes,
 * Joda DateTime and epoch-seconds Date).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class EventPayloadsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PKG = "dev.thaw.examples.events.";
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;

    @BeforeAll
    void deployFunctions() {
        SdkBytes zip = ThawServerProcess.example("events");
        for (String handler : new String[] {"Sqs", "Sns", "S3", "Scheduled", "Dynamodb", "ApiV1", "ApiV2"}) {
            lambda.createFunction(b -> b.functionName("ev-" + handler.toLowerCase()).runtime(Runtime.JAVA17)
                    .handler(PKG + handler).role("arn:aws:iam::000000000000:role/x").memorySize(256).timeout(30)
                    .code(c -> c.zipFile(zip)));
        }
    }


    private JsonNode invoke(String handler, String sample) throws IOException {
        String payload;
        try (InputStream in = EventPayloadsIT.class.getResourceAsStream("/events/" + sample)) {
            payload = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        InvokeResponse r = lambda.invoke(b -> b.functionName("ev-" + handler.toLowerCase())
                .payload(SdkBytes.fromUtf8String(payload)));
        String body = r.payload().asUtf8String();
        assertNull(r.functionError(), body);
        return JSON.readTree(body);
    }

    @Test
    void sqs() throws Exception {
        JsonNode o = invoke("Sqs", "sqs.json");
        assertEquals(2, o.path("count").asInt(), o.toString());
        assertEquals("059f36b4-87a3-44ab-83d2-661975830a7d", o.path("messageId").asText(), o.toString());
        assertEquals("AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...", o.path("receiptHandle").asText());
        assertEquals("Test message.", o.path("body").asText());
        assertEquals("e4e68fb7bd0e697a0ae8f1bb342846b3", o.path("md5OfBody").asText());
        assertEquals("aws:sqs", o.path("eventSource").asText());
        assertEquals("arn:aws:sqs:us-east-2:123456789012:my-queue", o.path("eventSourceArn").asText(), o.toString());
        assertEquals("us-east-2", o.path("awsRegion").asText());
        assertEquals("1", o.path("approximateReceiveCount").asText(), o.toString());
        assertEquals("1545082649183", o.path("sentTimestamp").asText());
        assertEquals("myValue", o.path("messageAttributes").path("myAttribute").path("stringValue").asText(), o.toString());
        assertEquals("String", o.path("messageAttributes").path("myAttribute").path("dataType").asText());
    }

    @Test
    void sns() throws Exception {
        JsonNode o = invoke("Sns", "sns.json");
        assertEquals("aws:sns", o.path("eventSource").asText(), o.toString());
        assertEquals("arn:aws:sns:us-east-1:123456789012:sns-lambda:21be56ed-a058-49f5-8c98-aedd2564c486",
                o.path("eventSubscriptionArn").asText());
        assertEquals(true, o.path("snsPresent").asBoolean(), o.toString());
        assertEquals("Hello from SNS!", o.path("message").asText(), o.toString());
        assertEquals("95df01b4-ee98-5cb9-9903-4c221d41eb5e", o.path("messageId").asText());
        assertEquals("TestInvoke", o.path("subject").asText());
        assertEquals("arn:aws:sns:us-east-1:123456789012:sns-lambda", o.path("topicArn").asText());
        assertEquals("Notification", o.path("type").asText());
        assertEquals("2019-01-02T12:45:07.000Z", o.path("timestamp").asText(), o.toString());
        assertEquals(1546433107000L, o.path("timestampMillis").asLong());
        assertEquals("String", o.path("messageAttributes").path("Test").path("type").asText(), o.toString());
        assertEquals("TestString", o.path("messageAttributes").path("Test").path("value").asText());
        assertEquals("Binary", o.path("messageAttributes").path("TestBinary").path("type").asText());
        assertEquals("TestBinary", o.path("messageAttributes").path("TestBinary").path("value").asText());
    }

    @Test
    void s3() throws Exception {
        JsonNode o = invoke("S3", "s3.json");
        assertEquals(1, o.path("count").asInt(), o.toString());
        assertEquals("ObjectCreated:Put", o.path("eventName").asText(), o.toString());
        assertEquals("aws:s3", o.path("eventSource").asText());
        assertEquals("us-east-1", o.path("awsRegion").asText());
        assertEquals("1970-01-01T00:00:00.000Z", o.path("eventTime").asText(), o.toString());
        assertEquals(0L, o.path("eventTimeMillis").asLong(-1));
        assertEquals("EXAMPLE", o.path("principalId").asText());
        assertEquals("127.0.0.1", o.path("sourceIPAddress").asText(), o.toString());
        assertEquals("EXAMPLE123456789", o.path("xAmzRequestId").asText(), o.toString());
        assertEquals("example-bucket", o.path("bucketName").asText());
        assertEquals("arn:aws:s3:::example-bucket", o.path("bucketArn").asText());
        assertEquals("test%2Fkey", o.path("objectKey").asText());
        assertEquals("test/key", o.path("objectUrlDecodedKey").asText());
        assertEquals(1024L, o.path("objectSize").asLong(), o.toString());
        assertEquals("0123456789abcdef0123456789abcdef", o.path("objectETag").asText(), o.toString());
        assertEquals("0A1B2C3D4E5F678901", o.path("objectSequencer").asText());
    }

    @Test
    void scheduled() throws Exception {
        JsonNode o = invoke("Scheduled", "scheduled.json");
        assertEquals("cdc73f9d-aea9-11e3-9d5a-835b769c0d9c", o.path("id").asText(), o.toString());
        assertEquals("0", o.path("version").asText());
        assertEquals("123456789012", o.path("account").asText());
        assertEquals("us-east-2", o.path("region").asText());
        assertEquals("aws.events", o.path("source").asText());
        assertEquals("Scheduled Event", o.path("detailType").asText(), o.toString());
        assertEquals("2019-03-01T01:23:45.000Z", o.path("time").asText(), o.toString());
        assertEquals(1551403425000L, o.path("timeMillis").asLong());
        assertEquals(1, o.path("resources").size());
        assertEquals("arn:aws:events:us-east-2:123456789012:rule/my-schedule", o.path("resources").get(0).asText());
        assertEquals(0, o.path("detail").size());
    }

    @Test
    void dynamodb() throws Exception {
        JsonNode all = invoke("Dynamodb", "dynamodb.json");
        assertEquals(2, all.path("records").size(), all.toString());
        JsonNode o = all.path("records").get(0);
        assertEquals("1", o.path("eventID").asText(), o.toString());
        assertEquals("INSERT", o.path("eventName").asText(), o.toString());
        assertEquals("aws:dynamodb", o.path("eventSource").asText());
        assertEquals("arn:aws:dynamodb:us-west-2:111122223333:table/TestTable/stream/2015-05-11T21:21:33.291",
                o.path("eventSourceArn").asText(), o.toString());
        assertEquals("us-west-2", o.path("awsRegion").asText());
        assertEquals("101", o.path("keysIdN").asText(), o.toString());
        assertEquals("New item!", o.path("newImageMessageS").asText(), o.toString());
        assertEquals("111", o.path("sequenceNumber").asText());
        assertEquals(26, o.path("sizeBytes").asLong());
        assertEquals("NEW_AND_OLD_IMAGES", o.path("streamViewType").asText());
        // ApproximateCreationDateTime is in epoch seconds; AWS's runtime reads it as such.
        assertEquals(1479499740000L, o.path("approximateCreationDateTime").asLong(), o.toString());
        JsonNode m = all.path("records").get(1);
        assertEquals("MODIFY", m.path("eventName").asText());
        assertEquals("New item!", m.path("oldImageMessageS").asText(), m.toString());
        assertEquals("This item has changed", m.path("newImageMessageS").asText());
        assertEquals(59, m.path("sizeBytes").asLong());
        assertTrue(m.path("approximateCreationDateTime").isNull(), m.toString());
    }

    @Test
    void apiGatewayRestV1() throws Exception {
        JsonNode o = invoke("ApiV1", "apigw-v1.json");
        assertEquals("/my/path", o.path("resource").asText(), o.toString());
        assertEquals("GET", o.path("httpMethod").asText());
        assertEquals("/my/path", o.path("path").asText());
        assertEquals("value1", o.path("queryStringParameters").path("parameter1").asText());
        assertEquals("value", o.path("queryStringParameters").path("parameter2").asText());
        assertEquals("value2", o.path("multiValueQueryStringParameters").path("parameter1").get(1).asText());
        assertEquals("value1", o.path("headers").path("header1").asText());
        assertEquals("value2", o.path("headers").path("header2").asText());
        assertEquals("Hello from Lambda!", o.path("body").asText());
        assertEquals(false, o.path("isBase64Encoded").asBoolean(true));
        assertEquals("id=", o.path("requestId").asText());
        assertEquals("123456789012", o.path("accountId").asText());
        assertEquals("$default", o.path("stage").asText());
        assertEquals(1583349317135L, o.path("requestTimeEpoch").asLong());
        assertEquals("192.0.2.1", o.path("sourceIp").asText());
    }

    @Test
    void apiGatewayHttpV2() throws Exception {
        JsonNode o = invoke("ApiV2", "apigw-v2.json");
        assertEquals("2.0", o.path("version").asText(), o.toString());
        assertEquals("$default", o.path("routeKey").asText());
        assertEquals("/my/path", o.path("rawPath").asText());
        assertEquals("parameter1=value1&parameter1=value2&parameter2=value", o.path("rawQueryString").asText());
        assertEquals("cookie2", o.path("cookies").get(1).asText());
        assertEquals("value1,value2", o.path("queryStringParameters").path("parameter1").asText());
        assertEquals("value1,value2", o.path("headers").path("header2").asText());
        assertEquals("Hello from Lambda", o.path("body").asText());
        assertEquals(false, o.path("isBase64Encoded").asBoolean(true));
        assertEquals("id", o.path("requestId").asText());
        assertEquals(1583348638390L, o.path("timeEpoch").asLong());
        assertEquals("POST", o.path("method").asText());
        assertEquals("192.0.2.1", o.path("sourceIp").asText());
    }
}
