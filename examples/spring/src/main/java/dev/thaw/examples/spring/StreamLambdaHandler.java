package dev.thaw.examples.spring;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.crac.Core;
import org.crac.Resource;

import com.amazonaws.serverless.exceptions.ContainerInitializationException;
import com.amazonaws.serverless.proxy.model.AwsProxyRequest;
import com.amazonaws.serverless.proxy.model.AwsProxyResponse;
import com.amazonaws.serverless.proxy.spring.SpringBootLambdaContainerHandler;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Lambda entry point: API Gateway REST proxy events in, proxy responses out. The Spring context starts in the
 * static initialiser, i.e. during INIT, so it is part of a snapshot when one is taken.
 *
 * <p>Priming: before a checkpoint, a synthetic request runs through the whole stack 300 times
 * (the dispatcher servlet, message converters and the controller initialise lazily on the first request, and the
 * JIT compiles the path after a few hundred), so restored copies start warm. This is the "invoke priming" AWS
 * recommends for SnapStart; the request has no side effects.
 */
public class StreamLambdaHandler implements RequestStreamHandler {

    private static final SpringBootLambdaContainerHandler<AwsProxyRequest, AwsProxyResponse> HANDLER;
    private static final String PRIMING_EVENT = "{\"httpMethod\":\"GET\",\"path\":\"/ping\","
            + "\"resource\":\"/{proxy+}\",\"headers\":{\"Accept\":\"application/json\"},"
            + "\"requestContext\":{\"stage\":\"prime\",\"identity\":{}},\"isBase64Encoded\":false}";

    /**
     * Enough requests for the JIT to compile the request path (the JVM compiles a method after a few hundred
     * calls), so the snapshot holds compiled code rather than code the first restored request would interpret.
     */
    private static final int PRIMING_REQUESTS = 300;

    /** Held strongly: org.crac keeps registered resources through weak references. */
    private static final Resource PRIMING = new Resource() {
        @Override
        public void beforeCheckpoint(org.crac.Context<? extends Resource> context) throws IOException {
            for (int i = 0; i < PRIMING_REQUESTS; i++) {
                HANDLER.proxyStream(new ByteArrayInputStream(PRIMING_EVENT.getBytes(StandardCharsets.UTF_8)),
                        new ByteArrayOutputStream(), null);
            }
        }

        @Override
        public void afterRestore(org.crac.Context<? extends Resource> context) {
            // nothing to refresh: the application holds no connections or credentials
        }
    };

    static {
        try {
            HANDLER = SpringBootLambdaContainerHandler.getAwsProxyHandler(Application.class);
        } catch (ContainerInitializationException e) {
            throw new RuntimeException("Could not initialize Spring Boot application", e);
        }
        Core.getGlobalContext().register(PRIMING);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HANDLER.proxyStream(input, output, context);
    }
}
