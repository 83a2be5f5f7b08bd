package dev.thaw.urls;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.thaw.errors.ThawException;
import dev.thaw.invoke.InvokeRequest;
import dev.thaw.invoke.InvokeResponse;
import dev.thaw.invoke.InvokeService;
import dev.thaw.policy.Permissions;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves one Function URL request: find the URL → answer a CORS preflight → check the caller (a resource policy
 * allowing anyone {@code lambda:InvokeFunctionUrl} for AuthType NONE, a SigV4 signature for AWS_IAM) → build the
 * event → invoke synchronously → map the result → add CORS headers. Failures come back as Lambda's URL front end
 * gives them: 403 for an unknown URL or a refused caller, 413 for a request over the payload limit, 429 when
 * throttled, 502 for a function error or a malformed response.
 */
public final class FunctionUrlService {
    private static final Logger LOG = Logger.getLogger(FunctionUrlService.class.getName());
    static final String FORBIDDEN = "Forbidden. For troubleshooting Function URL authorization issues, see: "
            + "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html";

    private final FunctionUrls urls;
    private final InvokeService invoker;
    private final RequestAuthenticator authenticator;
    private final Permissions permissions;
    private final Clock clock;
    private volatile IntSupplier port = () -> 0;

    public FunctionUrlService(FunctionUrls urls, InvokeService invoker, RequestAuthenticator authenticator,
                              Permissions permissions, Clock clock) {
        this.permissions = permissions;
        this.urls = urls;
        this.invoker = invoker;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    /** The listener's port, for the x-forwarded-port header of events. */
    public void servedOn(IntSupplier listenerPort) {
        this.port = listenerPort;
        urls.servedOn(listenerPort);
    }

    /** The host name a url-id's requests use; also the event's domainName in the path form. */
    public String domainName(String urlId) {
        return urls.domainName(urlId);
    }

    public UrlResponse serve(UrlRequest request) {
        Optional<FunctionUrlConfig> found = urls.byUrlId(request.urlId());
        if (found.isEmpty()) {
            return UrlResponse.error(403, "AccessDeniedException", "null");
        }
        FunctionUrlConfig config = found.get();
        if (config.cors() != null && CorsPolicy.isPreflight(request)) {
            return CorsPolicy.preflight(config.cors(), request);
        }
        Optional<UrlEvent.Caller> caller = Optional.empty();
        if (config.authType() == AuthType.NONE
                && !permissions.allowsPublicUrl(config.functionName(), config.qualifier())) {
            return UrlResponse.error(403, "AccessDeniedException", quote(FORBIDDEN));
        }
        if (config.authType() == AuthType.AWS_IAM) {
            caller = authenticator.authenticate(request);
            if (caller.isEmpty()) {
                return UrlResponse.error(403, "AccessDeniedException", quote(FORBIDDEN));
            }
        }
        String requestId = UUID.randomUUID().toString();
        UrlResponse response = invoke(config, request, requestId, caller);
        if (config.cors() != null) {
            response = CorsPolicy.decorate(config.cors(), request, response);
        }
        return response.withHeader("x-amzn-RequestId", requestId);
    }

    private UrlResponse invoke(FunctionUrlConfig config, UrlRequest request, String requestId,
                               Optional<UrlEvent.Caller> caller) {
        if (request.body().length > InvokeService.MAX_SYNC_PAYLOAD) {
            return tooLarge();
        }
        byte[] event = UrlEvent.build(request, requestId, clock.instant(), caller, port.getAsInt());
        InvokeResponse out;
        try {
            out = invoker.invoke(new InvokeRequest(config.functionName(),
                    config.isQualified() ? Optional.of(config.qualifier()) : Optional.empty(),
                    InvokeRequest.InvocationType.REQUEST_RESPONSE, false, Optional.empty(), event,
                    Optional.of(requestId)));
        } catch (ThawException e) {
            return switch (e.code()) {
                case TOO_MANY_REQUESTS -> UrlResponse.error(429, "TooManyRequestsException", quote("Rate Exceeded."));
                case REQUEST_TOO_LARGE -> tooLarge();
                case RESOURCE_NOT_FOUND -> UrlResponse.error(403, "AccessDeniedException", "null");
                default -> {
                    LOG.log(Level.FINE, "function URL " + request.urlId() + " failed", e);
                    yield UrlResponse.error(e.code().httpStatus(), e.code().awsType(), quote(e.getMessage()));
                }
            };
        }
        if (out.functionError().isPresent()) {
            return internalServerError();
        }
        return UrlResponses.fromPayload(out.payload()).orElseGet(FunctionUrlService::internalServerError);
    }

    /** Lambda's answer to a function error or a response it cannot map. */
    private static UrlResponse internalServerError() {
        return new UrlResponse(502, java.util.List.of(new UrlRequest.Header("Content-Type", "application/json")),
                "{\"Message\":\"Internal Server Error\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A refusal in the URL front end's shape: {@code x-amzn-ErrorType} and a JSON {@code Message}. */
    public static UrlResponse error(int status, String errorType, String message) {
        return UrlResponse.error(status, errorType, quote(message));
    }

    public static UrlResponse tooLarge() {
        return UrlResponse.error(413, "RequestTooLargeException", quote("Request must be smaller than "
                + InvokeService.MAX_SYNC_PAYLOAD + " bytes for the InvokeFunction operation"));
    }

    static String quote(String message) {
        try {
            return UrlEvent.JSON.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
