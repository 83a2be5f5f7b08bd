package dev.thaw.examples.ric;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

import java.util.LinkedHashMap;
import java.util.Map;

/** Served by the AWS runtime interface client: greets, or throws when asked to, to show its error reporting. */
public class Greeter implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        if (Boolean.TRUE.equals(input.get("fail"))) {
            throw new IllegalArgumentException("asked to fail by " + context.getFunctionName());
        }
        context.getLogger().log("greeting from the runtime interface client");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("greeting", "Hello, " + input.getOrDefault("name", "world") + "!");
        out.put("requestId", context.getAwsRequestId());
        out.put("runtime", "aws-lambda-java-runtime-interface-client");
        return out;
    }
}
