package dev.thaw.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;

/**
 * One {@code thaw server} per test class ({@code @TestInstance(PER_CLASS)}): started before the class's
 * {@code @BeforeAll} methods, with the {@link Arguments} the class names, and given to its fields of type
 * {@link ThawServerProcess} and {@link LambdaClient}; stopped after its {@code @AfterAll} methods, with the check
 * that no environment outlives it.
 */
final class ThawServerExtension implements BeforeAllCallback, AfterAllCallback {
    /** Arguments for {@code thaw server}, beyond the home and port every test server gets. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface Arguments {
        String[] value();
    }

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            ThawServerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        Class<?> testClass = context.getRequiredTestClass();
        Arguments arguments = testClass.getAnnotation(Arguments.class);
        ThawServerProcess server = ThawServerProcess.start(arguments == null ? new String[0] : arguments.value());
        LambdaClient lambda = server.lambda();
        context.getStore(NAMESPACE).put(ThawServerProcess.class, server);
        context.getStore(NAMESPACE).put(LambdaClient.class, lambda);
        Object instance = context.getRequiredTestInstance();
        for (Field field : testClass.getDeclaredFields()) {
            if (field.getType() == ThawServerProcess.class) {
                field.setAccessible(true);
                field.set(instance, server);
            } else if (field.getType() == LambdaClient.class) {
                field.setAccessible(true);
                field.set(instance, lambda);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LambdaClient lambda = context.getStore(NAMESPACE).remove(LambdaClient.class, LambdaClient.class);
        ThawServerProcess server = context.getStore(NAMESPACE).remove(ThawServerProcess.class, ThawServerProcess.class);
        try {
            if (lambda != null) {
                lambda.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }
}
