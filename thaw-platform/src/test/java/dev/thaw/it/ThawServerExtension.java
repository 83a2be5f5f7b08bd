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

    /**
     * Runs the class's server on state outside its home: a throwaway PostgreSQL cluster ({@code --database}) and
     * an S3Proxy bucket ({@code --object-store}), both started for the class and removed after it.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface OnPostgresAndObjectStore {
    }

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            ThawServerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        Class<?> testClass = context.getRequiredTestClass();
        Arguments arguments = testClass.getAnnotation(Arguments.class);
        java.util.List<String> args = new java.util.ArrayList<>(arguments == null ? java.util.List.of()
                : java.util.List.of(arguments.value()));
        if (testClass.isAnnotationPresent(OnPostgresAndObjectStore.class)) {
            PostgresCluster postgres = PostgresCluster.create();
            context.getStore(NAMESPACE).put(PostgresCluster.class, postgres);
            S3ProxyServer s3 = S3ProxyServer.start();
            context.getStore(NAMESPACE).put(S3ProxyServer.class, s3);
            args.addAll(java.util.List.of("--database", postgres.createDatabase()));
            args.addAll(s3.serverArguments(s3.createBucket(), "thaw"));
        }
        ThawServerProcess server = ThawServerProcess.start(args.toArray(String[]::new));
        LambdaClient lambda = server.lambda();
        context.getStore(NAMESPACE).put(ThawServerProcess.class, server);
        context.getStore(NAMESPACE).put(LambdaClient.class, lambda);
        Object instance = context.getRequiredTestInstance();
        for (Class<?> c = testClass; c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getType() == ThawServerProcess.class) {
                    field.setAccessible(true);
                    field.set(instance, server);
                } else if (field.getType() == LambdaClient.class) {
                    field.setAccessible(true);
                    field.set(instance, lambda);
                }
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
            try {
                if (server != null) {
                    server.close();
                }
            } finally {
                S3ProxyServer s3 = context.getStore(NAMESPACE).remove(S3ProxyServer.class, S3ProxyServer.class);
                PostgresCluster postgres = context.getStore(NAMESPACE).remove(PostgresCluster.class,
                        PostgresCluster.class);
                try {
                    if (s3 != null) {
                        s3.close();
                    }
                } finally {
                    if (postgres != null) {
                        postgres.close();
                    }
                }
            }
        }
    }
}
