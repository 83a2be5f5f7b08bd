package dev.thaw.it;

import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.Runtime;

import java.util.Map;
import java.util.function.Consumer;

/** Functions the integration tests deploy again and again, created through the real Lambda API. */
final class Fixtures {
    static final String ROLE = "arn:aws:iam::000000000000:role/x";

    private Fixtures() {
    }

    /** The handler class {@code simpleName} of the test-functions example (Echo, Sleeper, Exiter...). */
    static String fixtureHandler(String simpleName) {
        return "dev.thaw.examples.fixtures." + simpleName;
    }

    /**
     * Creates {@code name} on java17 from the example {@code module}'s package with {@code handler};
     * {@code settings} adds what the test needs (memory, timeout, environment, SnapStart).
     */
    static void deploy(LambdaClient lambda, String name, String module, String handler,
                       Consumer<CreateFunctionRequest.Builder> settings) {
        lambda.createFunction(b -> {
            b.functionName(name).runtime(Runtime.JAVA17).handler(handler).role(ROLE)
                    .code(c -> c.zipFile(ThawServerProcess.example(module)));
            settings.accept(b);
        });
    }

    /** The hello example on java17 as {@code name}, with {@code environment}. */
    static void createHello(LambdaClient lambda, String name, Map<String, String> environment) {
        deploy(lambda, name, "hello", "dev.thaw.examples.hello.Hello", b -> b.timeout(30)
                .environment(e -> e.variables(environment)));
    }
}
