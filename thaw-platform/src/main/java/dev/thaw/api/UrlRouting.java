package dev.thaw.api;

import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.invoke.InvokeService;
import dev.thaw.urls.FunctionUrlService;
import dev.thaw.urls.FunctionUrls;
import dev.thaw.urls.UrlRequest;
import dev.thaw.urls.UrlResponse;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Function URL listener's only route: every method and path. The url-id comes from the Host header
 * ({@code <url-id>.lambda-url.<region>.localhost[:port]}) or, for clients that cannot set the host, from the first
 * path segment ({@code /<url-id>/...}, the rest being the path the function sees). The request is handed to
 * {@link FunctionUrlService} as a plain {@link UrlRequest} and its {@link UrlResponse} written back.
 */
final class UrlRouting {
    private static final Logger LOG = Logger.getLogger(UrlRouting.class.getName());
    private static final Pattern HOST = Pattern.compile(
            "([a-z0-9]{32})\\.lambda-url\\.[a-z0-9-]+\\.localhost\\.?(?::\\d+)?", Pattern.CASE_INSENSITIVE);

    private final FunctionUrlService service;
    private final BodyReader bodies;

    UrlRouting(FunctionUrlService service, BodyReader bodies) {
        this.service = service;
        this.bodies = bodies;
    }

    void routes(HttpRouting.Builder r) {
        r.any(this::serve);
        r.error(Throwable.class, this::failed);
    }

    private void serve(ServerRequest req, ServerResponse res) {
        String sentPath = req.path().rawPath();
        String host = Http.header(req, "Host").orElse("");
        Matcher m = HOST.matcher(host);
        String urlId;
        String rawPath;
        String domain;
        if (m.matches()) {
            urlId = m.group(1).toLowerCase(Locale.ROOT);
            rawPath = sentPath;
            domain = service.domainName(urlId);
        } else {
            int end = sentPath.indexOf('/', 1);
            String first = end < 0 ? sentPath.substring(1) : sentPath.substring(1, end);
            if (!FunctionUrls.isUrlId(first)) {
                write(res, new UrlResponse(404, List.of(new UrlRequest.Header("Content-Type", "application/json"),
                        new UrlRequest.Header("x-amzn-ErrorType", "ResourceNotFoundException")),
                        ("{\"Message\":\"No Function URL is named here: use http://<url-id>.lambda-url.<region>"
                                + ".localhost:<port>/ or http://<host>:<port>/<url-id>/\"}")
                                .getBytes(StandardCharsets.UTF_8)));
                return;
            }
            urlId = first;
            rawPath = end < 0 ? "/" : sentPath.substring(end);
            domain = service.domainName(urlId);
        }
        byte[] body = bodies.read(req, InvokeService.MAX_SYNC_PAYLOAD, "InvokeFunction");
        List<UrlRequest.Header> headers = new ArrayList<>();
        for (Header h : req.headers()) {
            for (String value : h.allValues()) {
                headers.add(new UrlRequest.Header(h.name(), value));
            }
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (String name : req.query().names()) {
            query.put(name, List.copyOf(req.query().all(name)));
        }
        String sourceIp = req.remotePeer().address() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() : "";
        String protocol = req.prologue().protocol() + "/" + req.prologue().protocolVersion();
        write(res, service.serve(new UrlRequest(urlId, req.prologue().method().text(), sentPath, rawPath,
                req.query().rawValue(), headers, query, protocol, sourceIp, domain, body)));
    }

    private static void write(ServerResponse res, UrlResponse out) {
        res.status(Status.create(out.status()));
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (UrlRequest.Header h : out.headers()) {
            byName.computeIfAbsent(h.name(), n -> new ArrayList<>()).add(h.value());
        }
        byName.forEach((name, values) -> res.header(HeaderNames.create(name), values.toArray(String[]::new)));
        res.send(out.body());
    }

    /** What failed before the function was reached: a body over the limit, one that stalled, or a server fault. */
    private void failed(ServerRequest req, ServerResponse res, Throwable error) {
        if (error instanceof ThawException e && e.code() == ErrorCode.REQUEST_TOO_LARGE) {
            e.headers().forEach((k, v) -> res.header(HeaderNames.create(k), v));
            write(res, FunctionUrlService.tooLarge());
            return;
        }
        if (error instanceof ThawException e && e.code().httpStatus() < 500) {
            e.headers().forEach((k, v) -> res.header(HeaderNames.create(k), v));
            write(res, FunctionUrlService.error(e.code().httpStatus(), e.code().awsType(), e.getMessage()));
            return;
        }
        LOG.log(Level.WARNING, "unexpected failure serving a Function URL request", error);
        write(res, FunctionUrlService.error(500, "ServiceException", "Internal Server Error"));
    }
}
