package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;

/** The Context handed to the handler for one invocation. */
final class LambdaContextImpl implements Context {

    private final Invocation invocation;
    private final RuntimeEnvironment env;
    private final CognitoIdentity identity;
    private final ClientContext clientContext;

    LambdaContextImpl(Invocation invocation, RuntimeEnvironment env, LazyJsonCodec codec) {
        this.invocation = invocation;
        this.env = env;
        this.identity = parse(invocation.cognitoIdentityJson(), codec, CognitoIdentityImpl::from, "Cognito identity");
        this.clientContext = parse(invocation.clientContextJson(), codec, ClientContextImpl::from, "client context");
    }

    @Override
    public String getAwsRequestId() {
        return invocation.requestId();
    }

    @Override
    public String getLogGroupName() {
        return env.logGroupName();
    }

    @Override
    public String getLogStreamName() {
        return env.logStreamName();
    }

    @Override
    public String getFunctionName() {
        return env.functionName();
    }

    @Override
    public String getFunctionVersion() {
        return env.functionVersion();
    }

    @Override
    public String getInvokedFunctionArn() {
        return invocation.invokedFunctionArn();
    }

    @Override
    public CognitoIdentity getIdentity() {
        return identity;
    }

    @Override
    public ClientContext getClientContext() {
        return clientContext;
    }

    /** Negative once the deadline has passed, as on AWS. */
    @Override
    public int getRemainingTimeInMillis() {
        long remaining = invocation.deadlineMs() - System.currentTimeMillis();
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, remaining));
    }

    @Override
    public int getMemoryLimitInMB() {
        return env.memoryLimitMb();
    }

    @Override
    public LambdaLogger getLogger() {
        return StdoutLambdaLogger.INSTANCE;
    }

    /** Loads and exercises this class and the header parsers, so a restored copy's first invoke finds them ready. */
    static void warmUp(RuntimeEnvironment env, LazyJsonCodec codec) {
        Invocation sample = new Invocation("warm-up", System.currentTimeMillis(), "", Optional.empty(),
                Optional.of("{\"client\":{\"app_title\":\"t\"},\"custom\":{\"k\":\"v\"},\"env\":{}}"),
                Optional.of("{\"cognitoIdentityId\":\"i\",\"cognitoIdentityPoolId\":\"p\"}"), new byte[0]);
        LambdaContextImpl context = new LambdaContextImpl(sample, env, codec);
        context.getRemainingTimeInMillis();
        context.getClientContext().getClient().getAppTitle();
        context.getIdentity().getIdentityId();
    }

    /** A malformed header must not fail the invoke: the getter returns null, as when the header is absent. */
    private static <T> T parse(Optional<String> header, LazyJsonCodec codec, Function<JsonNode, T> from, String what) {
        if (header.isEmpty()) {
            return null;
        }
        try {
            JsonNode json = codec.get().readTree(header.get());
            return json != null && json.isObject() ? from.apply(json) : null;
        } catch (IOException e) {
            System.err.println("thaw-runtime: ignoring malformed " + what + " header: " + e.getMessage());
            return null;
        }
    }
}
