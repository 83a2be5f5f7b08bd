package dev.thaw.runtime;

import static dev.thaw.runtime.HandlerResolverTest.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import thawtest.handlers.Handlers;

class JsonCodecTest {

    private static final String API_GATEWAY_EVENT = """
            {
              "resource": "/{proxy+}",
              "path": "/hello/world",
              "httpMethod": "POST",
              "headers": {"Accept": "*/*", "Content-Type": "application/json"},
              "multiValueHeaders": {"Accept": ["*/*"], "Content-Type": ["application/json"]},
              "queryStringParameters": {"q": "thaw"},
              "multiValueQueryStringParameters": {"q": ["thaw"]},
              "pathParameters": {"proxy": "hello/world"},
              "stageVariables": {"stage": "prod"},
              "requestContext": {
                "accountId": "123456789012",
                "resourceId": "us4z18",
                "stage": "test",
                "requestId": "41b45ea3-70b5-11e6-b7bd-69b5aaebc7d9",
                "identity": {"sourceIp": "192.168.100.1", "userAgent": "curl/8.0", "accountId": "123456789012"},
                "resourcePath": "/{proxy+}",
                "httpMethod": "POST",
                "apiId": "wt6mne2s9k",
                "path": "/test/hello/world",
                "requestTimeEpoch": 1428582896000
              },
              "body": "{\\"a\\":1}",
              "isBase64Encoded": false
            }""";

    private final HandlerResolver resolver = new HandlerResolver(new LazyJsonCodec());
    private final ObjectMapper plain = new ObjectMapper();

    @Test
    void aStringEventThatIsAJsonStringArrivesDecoded() throws Throwable {
        assertEquals("\"line\\nbreak\"", call(handler("StringEcho"), "\"line\\nbreak\""));
    }

    @Test
    void aStringEventThatIsNotAJsonStringArrivesAsTheRawPayload() throws Throwable {
        assertEquals("\"{\\\"a\\\":1}\"", call(handler("StringEcho"), "{\"a\":1}"));
    }

    @Test
    void anEmptyPayloadIsNullAndNullIsWrittenAsNull() throws Throwable {
        assertEquals("null", call(handler("ObjectEcho"), ""));
    }

    @Test
    void objectEventsArriveAsMapsAndListsAndGoBackUnchanged() throws Throwable {
        String json = "{\"a\":[1,2.5,\"x\",null,true],\"b\":{\"c\":null}}";
        assertEquals(plain.readTree(json), plain.readTree(call(handler("ObjectEcho"), json)));
    }

    @Test
    void unknownAndDifferentlyCasedPropertiesAreAccepted() throws Throwable {
        assertEquals("\"hello Ada\"", call(handler("Greeter"), "{\"NAME\":\"Ada\",\"age\":36}"));
    }

    @Test
    void anApiGatewayProxyEventRoundTrips() throws Throwable {
        JsonNode out = plain.readTree(call(handler("ApiGatewayEcho"), API_GATEWAY_EVENT));

        assertEquals(plain.readTree(API_GATEWAY_EVENT), out);
    }

    @Test
    void anApiGatewayProxyResponseIsWrittenWithAwsFieldNames() throws Throwable {
        JsonNode out = plain.readTree(call(handler("ApiGatewayResponder"), API_GATEWAY_EVENT));

        assertEquals(plain.readTree("""
                {"statusCode":201,"headers":{"Content-Type":"text/plain"},"body":"POST /hello/world thaw",
                 "isBase64Encoded":false}"""), out);
    }

    @Test
    void anUnreadableEventFailsTheInvokeWithAParsingError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> call(handler("Greeter"), "[1,2"));
        assertEquals(true, e.getMessage().startsWith("An error occurred during JSON parsing"));
    }

    private HandlerInvoker handler(String nested) throws InitFailure {
        return resolver.resolve(Handlers.class.getName() + "$" + nested, getClass().getClassLoader());
    }
}
