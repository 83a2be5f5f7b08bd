package dev.thaw.examples.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

import java.util.Map;

/** Returns {"message": "Hello, <name>!"}; name comes from the input's "name" key (default "world"). */
public class Hello implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Object name = input == null ? null : input.get("name");
        String who = name == null ? "world" : name.toString();
        context.getLogger().log("hello: greeting " + who + " (request " + context.getAwsRequestId() + ")");
        return Map.of("message", "Hello, " + who + "!");
    }
}
