package dev.thaw.api;

import dev.thaw.auth.AccessKeys;
import dev.thaw.auth.Presigner;
import dev.thaw.auth.SignatureVerifier;
import dev.thaw.environments.EnvironmentPool;
import dev.thaw.environments.FunctionLogs;
import dev.thaw.events.EventInvokeConfigs;
import dev.thaw.events.EventQueue;
import dev.thaw.functions.FunctionService;
import dev.thaw.invoke.InvokeService;
import dev.thaw.layers.Layers;
import dev.thaw.policy.Permissions;
import dev.thaw.logs.LogQueries;
import dev.thaw.metrics.PrometheusMetrics;
import dev.thaw.provisioned.ProvisionedConcurrency;
import dev.thaw.snapshots.SnapStartService;
import dev.thaw.tags.Tags;
import dev.thaw.urls.FunctionUrlService;
import dev.thaw.urls.FunctionUrls;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;

import java.net.StandardSocketOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The platform's public HTTP servers (Helidon SE on virtual threads): one for the control, Invoke and Thaw APIs,
 * and one for Function URLs ({@link #forFunctionUrls}). The API's also serves the CloudWatch Logs reads, the
 * dashboard and {@code GET /metrics}.
 *
 * <p>It protects itself as a long-lived listener must: it holds at most {@link ListenerLimits#maxConnections()}
 * connections, drops a request whose body stops arriving ({@link BodyReader}) and a connection stuck between
 * requests ({@link ConnectionWatch}), closes idle connections, and
 * when its accept loop dies anyway (Helidon ends it on any error, {@code EMFILE} included) it listens again on the
 * same port as soon as it can.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());
    private static final Duration RELISTEN_BACKOFF = Duration.ofMillis(250);
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration CODE_LOCATION_VALIDITY = Duration.ofMinutes(10);

    private final String name;
    private final String host;
    private final ListenerLimits limits;
    private Consumer<HttpRouting.Builder> routes;
    private final BodyReader bodies;
    private final ConnectionWatch connections;
    private final Object lifecycle = new Object();
    private WebServer server;
    private int port;
    private boolean closed;

    private ApiServer(String name, String host, int port, ListenerLimits limits) {
        this.name = name;
        this.host = host;
        this.port = port;
        this.limits = limits;
        this.bodies = new BodyReader(limits.readTimeout());
        this.connections = new ConnectionWatch(limits);
    }

    private PlatformApi platformApi;

    /**
     * In a cluster: the snapshot call also lists the workers holding a version's snapshot, per host fingerprint
     * ({@code holders} maps an environment key to fingerprint → worker ids).
     */
    public ApiServer listingWorkerSnapshots(
            java.util.function.Function<String, java.util.Map<String, java.util.List<String>>> holders) {
        platformApi.workerSnapshots(holders);
        return this;
    }

    /**
     * @param accessKeys the keys every request must be signed with, in {@code region}; with none, no signature is
     *                   checked
     */
    public ApiServer(String host, int port, ListenerLimits limits, AccessKeys accessKeys, String region,
                     FunctionService functions, InvokeService invoker,
                     EnvironmentPool pool, FunctionLogs logs,
                     SnapStartService snapStart, EventQueue events, EventInvokeConfigs eventConfigs,
                     FunctionUrls urls, Tags tags, Permissions permissions,
                     PrometheusMetrics metrics, LogQueries logQueries, Layers layers,
                     ProvisionedConcurrency provisioned) {
        this("API", host, port, limits);
        Presigner presigner = new Presigner(region);
        BiFunction<ServerRequest, String, String> download = (req, path) -> {
            URI location = URI.create("http://" + req.headers().first(HeaderNames.HOST).orElse(host + ":" + port())
                    + path);
            // As on AWS, a presigned URL valid for ten minutes, signed with the caller's own key.
            return SignatureCheck.signer(req).map(key -> presigner.presignGet(location, key, CODE_LOCATION_VALIDITY))
                    .orElse(location).toString();
        };
        ControlApi control = new ControlApi(functions, bodies,
                (req, sha) -> download.apply(req, PlatformApi.BASE + "/code/" + sha + ".zip"), tags);
        LayersApi layersApi = new LayersApi(layers, functions, bodies, download);
        Optional<SignatureCheck> signatures = accessKeys.required()
                ? Optional.of(new SignatureCheck(new SignatureVerifier(accessKeys, region, Clock.systemUTC()), bodies))
                : Optional.empty();
        TagsApi tagsApi = new TagsApi(tags, bodies);
        PolicyApi policyApi = new PolicyApi(permissions, bodies);
        AccountApi accountApi = new AccountApi(functions, bodies);
        ProvisionedConcurrencyApi provisionedApi = new ProvisionedConcurrencyApi(provisioned, bodies);
        InvokeApi invoke = new InvokeApi(invoker, events, bodies);
        EventApi eventApi = new EventApi(events, eventConfigs, bodies);
        FunctionUrlApi urlApi = new FunctionUrlApi(urls, bodies);
        PlatformApi platform = new PlatformApi(pool, logs, functions.codeStore(), functions,
                snapStart);
        this.platformApi = platform;
        MetricsApi metricsApi = new MetricsApi(metrics);
        LogsApi logsApi = new LogsApi(logQueries, bodies);
        DashboardApi dashboard = new DashboardApi(functions, pool, snapStart, metrics);
        this.routes = r -> {
            r.addFilter(connections);
            r.any((req, res) -> {
                res.header(HeaderNames.create("x-amzn-RequestId"), UUID.randomUUID().toString());
                res.next();
            });
            signatures.ifPresent(check -> r.any(check::handle));
            control.routes(r);
            layersApi.routes(r);
            invoke.routes(r);
            eventApi.routes(r);
            urlApi.routes(r);
            tagsApi.routes(r);
            policyApi.routes(r);
            accountApi.routes(r);
            provisionedApi.routes(r);
            platform.routes(r);
            metricsApi.routes(r);
            logsApi.routes(r);
            dashboard.routes(r);
            r.any((req, res) -> AwsErrors.send(req, res, AwsErrors.unknownOperation(req)));
            r.error(Throwable.class, AwsErrors::send);
        };
    }

    /**
     * The Function URL listener: its own port, the same protections as the API's (connection cap, body read
     * timeout, stuck-connection watch, listening again after its accept loop ends).
     */
    public static ApiServer forFunctionUrls(String host, int port, ListenerLimits limits,
                                            FunctionUrlService service) {
        ApiServer server = new ApiServer("Function URL", host, port, limits);
        UrlRouting urls = new UrlRouting(service, server.bodies);
        server.routes = r -> {
            r.addFilter(server.connections);
            urls.routes(r);
        };
        return server;
    }

    public ApiServer start() {
        synchronized (lifecycle) {
            server = listen(port);
            port = server.port();
        }
        String thread = name.toLowerCase(java.util.Locale.ROOT).replace(' ', '-') + "-listener-watch";
        Thread.ofPlatform().daemon().name(thread).start(this::watchListener);
        return this;
    }

    private WebServer listen(int onPort) {
        WebServer s = WebServer.builder()
                .host(host)
                .port(onPort)
                // A listener started again after its accept loop died binds beside connections it still has.
                .putListenerSocketOption(StandardSocketOptions.SO_REUSEADDR, true)
                .maxTcpConnections(limits.maxConnections())
                .connectionOptions(connections)
                .idleConnectionTimeout(limits.idleTimeout())
                .idleConnectionPeriod(Duration.ofSeconds(5))
                .shutdownGracePeriod(Duration.ofSeconds(1))
                .directHandlers(TransportErrors.handlers())
                .routing(routes)
                .build()
                .start();
        if (!s.isRunning()) {
            // Helidon logs a failed bind and shuts down instead of throwing.
            throw new IllegalStateException("the " + name + " server could not listen on " + host + ":" + onPort);
        }
        return s;
    }

    /** Listens again after the accept loop ended on its own, retrying until it can or the server is closed. */
    private void relisten() {
        while (true) {
            synchronized (lifecycle) {
                if (closed) {
                    return;
                }
                try {
                    WebServer dead = server;
                    dead.stop();  // its listener is gone already; this releases the rest of it
                    server = listen(port);
                    LOG.warning("the " + name + " listener on port " + port + " had stopped; it listens again");
                    return;
                } catch (RuntimeException e) {
                    LOG.warning("the " + name + " listener on port " + port + " cannot listen yet: "
                            + e.getMessage());
                }
            }
            try {
                Thread.sleep(RELISTEN_BACKOFF);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Every second, connects to the listener: a refused connection means its accept loop has ended (Helidon stops a
     * listener on any accept error and says so only in its log), so it listens again. Any other failure, such as
     * running out of descriptors for the probe itself, proves nothing and is tried again.
     */
    private void watchListener() {
        while (true) {
            try {
                Thread.sleep(PROBE_INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (lifecycle) {
                if (closed) {
                    return;
                }
            }
            if (isRefused()) {
                relisten();
            }
        }
    }

    private boolean isRefused() {
        try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open()) {
            probe.connect(new java.net.InetSocketAddress(host, port()));
            return false;
        } catch (java.net.ConnectException refused) {
            return true;
        } catch (java.io.IOException unknown) {
            return false;
        }
    }

    public int port() {
        synchronized (lifecycle) {
            return port;
        }
    }

    @Override
    public void close() {
        WebServer s;
        synchronized (lifecycle) {
            closed = true;
            s = server;
        }
        if (s != null) {
            s.stop();
        }
        bodies.close();
        connections.close();
    }
}
