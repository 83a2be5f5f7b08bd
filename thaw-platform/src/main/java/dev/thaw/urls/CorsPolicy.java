package dev.thaw.urls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A URL's CORS configuration applied to requests: a preflight (OPTIONS with Origin and
 * Access-Control-Request-Method) is answered here without invoking the function, and the CORS headers of other
 * responses come from the configuration, replacing any the function set. An origin or method the configuration does
 * not allow gets no CORS headers, so the browser refuses the call.
 */
final class CorsPolicy {
    private CorsPolicy() {
    }

    static boolean isPreflight(UrlRequest request) {
        return request.method().equals("OPTIONS") && request.header("Origin").isPresent()
                && request.header("Access-Control-Request-Method").isPresent();
    }

    static UrlResponse preflight(Cors cors, UrlRequest request) {
        List<UrlRequest.Header> headers = new ArrayList<>();
        String origin = request.header("Origin").orElseThrow();
        String method = request.header("Access-Control-Request-Method").orElseThrow();
        Optional<String> allowedOrigin = allowedOrigin(cors, origin);
        if (allowedOrigin.isPresent() && matches(cors.allowMethods(), method)) {
            headers.add(new UrlRequest.Header("Access-Control-Allow-Origin", allowedOrigin.get()));
            headers.add(new UrlRequest.Header("Access-Control-Allow-Methods", String.join(",", cors.allowMethods())));
            if (cors.allowHeaders() != null && !cors.allowHeaders().isEmpty()) {
                headers.add(new UrlRequest.Header("Access-Control-Allow-Headers",
                        String.join(",", cors.allowHeaders())));
            }
            if (cors.maxAge() != null) {
                headers.add(new UrlRequest.Header("Access-Control-Max-Age", cors.maxAge().toString()));
            }
            if (Boolean.TRUE.equals(cors.allowCredentials())) {
                headers.add(new UrlRequest.Header("Access-Control-Allow-Credentials", "true"));
            }
        }
        headers.add(new UrlRequest.Header("Vary", "Origin"));
        return new UrlResponse(200, headers, new byte[0]);
    }

    /** The function's response with the configuration's CORS headers in place of its own. */
    static UrlResponse decorate(Cors cors, UrlRequest request, UrlResponse response) {
        Optional<String> origin = request.header("Origin");
        List<UrlRequest.Header> headers = new ArrayList<>();
        for (UrlRequest.Header h : response.headers()) {
            if (!h.name().toLowerCase(Locale.ROOT).startsWith("access-control-")) {
                headers.add(h);
            }
        }
        Optional<String> allowed = origin.flatMap(o -> allowedOrigin(cors, o));
        if (allowed.isPresent()) {
            headers.add(new UrlRequest.Header("Access-Control-Allow-Origin", allowed.get()));
            if (cors.exposeHeaders() != null && !cors.exposeHeaders().isEmpty()) {
                headers.add(new UrlRequest.Header("Access-Control-Expose-Headers",
                        String.join(",", cors.exposeHeaders())));
            }
            if (Boolean.TRUE.equals(cors.allowCredentials())) {
                headers.add(new UrlRequest.Header("Access-Control-Allow-Credentials", "true"));
            }
            headers.add(new UrlRequest.Header("Vary", "Origin"));
        }
        return new UrlResponse(response.status(), headers, response.body());
    }

    /** "*" for any origin, unless credentials are allowed, when browsers need the origin itself. */
    private static Optional<String> allowedOrigin(Cors cors, String origin) {
        if (cors.allowOrigins() == null) {
            return Optional.empty();
        }
        for (String allowed : cors.allowOrigins()) {
            if (allowed.equals("*")) {
                return Optional.of(Boolean.TRUE.equals(cors.allowCredentials()) ? origin : "*");
            }
            if (allowed.equalsIgnoreCase(origin)) {
                return Optional.of(origin);
            }
        }
        return Optional.empty();
    }

    private static boolean matches(List<String> allowed, String value) {
        return allowed != null && allowed.stream().anyMatch(a -> a.equals("*") || a.equalsIgnoreCase(value));
    }
}
