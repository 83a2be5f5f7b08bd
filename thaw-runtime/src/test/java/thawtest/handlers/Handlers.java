package thawtest.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Handlers for the resolver tests, outside dev.thaw.runtime so their frames count as the function's. */
public final class Handlers {

    private Handlers() {
    }

    public static class Person {
        public String name;
    }

    public static class Greeter implements RequestHandler<Person, String> {
        @Override
        public String handleRequest(Person person, Context context) {
            return "hello " + person.name;
        }
    }

    public static class Shouter implements RequestStreamHandler {
        @Override
        public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
            out.write(new String(in.readAllBytes(), StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8));
        }
    }

    public static class PlainHandler {
        public Map<String, Integer> handleRequest(Map<String, Object> event) {
            return Map.of("size", event.size());
        }
    }

    public static class Methods {
        public static String upper(String s) {
            return s.toUpperCase();
        }

        public String overloaded(String s) {
            return s;
        }

        public void overloaded(InputStream in, OutputStream out, Context c) {
        }

        public void copy(InputStream in, OutputStream out) throws IOException {
            in.transferTo(out);
        }

        public String fail(Map<String, Object> event, Context context) {
            throw new UnsupportedOperationException("nope");
        }
    }

    public static class BrokenStatic {
        static {
            if (Boolean.TRUE) {
                throw new IllegalStateException("no config");
            }
        }

        public String handleRequest(String s) {
            return s;
        }
    }

    public static class Counting implements RequestHandler<Person, Person> {
        public static final java.util.concurrent.atomic.AtomicInteger CALLS = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Person handleRequest(Person person, Context context) {
            CALLS.incrementAndGet();
            return person;
        }

        public static String staticCount(String s) {
            CALLS.incrementAndGet();
            return s;
        }
    }

    public static class StaticAssertion {
        static {
            if (Boolean.TRUE) {
                throw new AssertionError("invariant broken");
            }
        }

        public String handleRequest(String s) {
            return s;
        }
    }

    public static class BrokenConstructor implements RequestHandler<String, String> {
        public BrokenConstructor() {
            throw new IllegalArgumentException("bad setup");
        }

        @Override
        public String handleRequest(String s, Context context) {
            return s;
        }
    }

    public static class NeedsArgument implements RequestHandler<String, String> {
        public NeedsArgument(String required) {
        }

        @Override
        public String handleRequest(String s, Context context) {
            return s;
        }
    }

    public static class StringEcho implements RequestHandler<String, String> {
        @Override
        public String handleRequest(String input, Context context) {
            return input;
        }
    }

    public static class ObjectEcho implements RequestHandler<Object, Object> {
        @Override
        public Object handleRequest(Object input, Context context) {
            return input;
        }
    }

    public static class ApiGatewayEcho
            implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyRequestEvent> {
        @Override
        public APIGatewayProxyRequestEvent handleRequest(APIGatewayProxyRequestEvent input, Context context) {
            return input;
        }
    }

    public static class ApiGatewayResponder
            implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
        @Override
        public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent input, Context context) {
            return new APIGatewayProxyResponseEvent().withStatusCode(201)
                    .withHeaders(Map.of("Content-Type", "text/plain"))
                    .withBody(input.getHttpMethod() + " " + input.getPath() + " " + input.getQueryStringParameters().get("q"))
                    .withIsBase64Encoded(false);
        }
    }

    /** Reports what the runtime handed it; fails on request. */
    public static class ContextProbe implements RequestHandler<Map<String, Object>, Map<String, Object>> {
        @Override
        public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
            if (Boolean.TRUE.equals(event.get("fail"))) {
                throw new IllegalStateException("asked to fail", new java.io.IOException("root cause"));
            }
            context.getLogger().log("probe log line");
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("requestId", context.getAwsRequestId());
            out.put("arn", context.getInvokedFunctionArn());
            out.put("functionName", context.getFunctionName());
            out.put("memory", context.getMemoryLimitInMB());
            out.put("remainingPositive", context.getRemainingTimeInMillis() > 0);
            out.put("trace", System.getProperty("com.amazonaws.xray.traceHeader"));
            out.put("identityPool", context.getIdentity() == null ? null : context.getIdentity().getIdentityPoolId());
            out.put("appTitle", context.getClientContext() == null ? null : context.getClientContext().getClient().getAppTitle());
            out.put("custom", context.getClientContext() == null ? null : context.getClientContext().getCustom());
            return out;
        }
    }

    /** Keeps the name of every event it handled; {@code "fail": true} throws after recording it. */
    public static class Recording implements RequestHandler<Map<String, Object>, String> {
        public static final java.util.List<String> SEEN = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public String handleRequest(Map<String, Object> event, Context context) {
            boolean fail = Boolean.TRUE.equals(event.get("fail"));
            SEEN.add(fail ? "fail" : String.valueOf(event.get("name")));
            if (fail) {
                throw new IllegalStateException("failed on purpose");
            }
            return "ok";
        }
    }
}
