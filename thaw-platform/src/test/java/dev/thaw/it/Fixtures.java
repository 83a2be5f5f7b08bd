package dev.thaw.it;

import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;

import java.util.Map;

/** Functions the integration tests deploy again and again, created through the real Lambda API. */
final class Fixtures {
    static final String ROLE = "arn:aws:iam::000000000000:role/x";

    private Fixtures() {
    }

    /** The hello example on java17 as {@code name}, with {@code environment}. */
    static void createHello(LambdaClient lambda, String name, Map<String, String> environment) {
        lambda.createFunction(b -> b.functionName(name).runtime(Runtime.JAVA17)
                .handler("dev.thaw.examples.hello.Hello").role(ROLE).timeout(30)
                .environment(e -> e.variables(environment))
                .code(c -> c.zipFile(ThawServerProcess.example("hello"))));
    }
}
