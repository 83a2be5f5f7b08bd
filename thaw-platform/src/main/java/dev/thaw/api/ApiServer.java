package dev.thaw.api;

import dev.thaw.credentials.CredentialsService;
import dev.thaw.environments.EnvironmentPool;
import dev.thaw.environments.FunctionLogs;
import dev.thaw.events.EventInvokeConfigs;
import dev.thaw.events.EventQueue;
import dev.thaw.functions.FunctionService;
import dev.thaw.invoke.InvokeService;
import dev.thaw.snapshots.SnapStartService;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

import java.time.Duration;
import java.util.UUID;

/** The platform's public HTTP server (Helidon SE on virtual threads): control, Invoke and Thaw APIs. */
public final class ApiServer implements AutoCloseable {
    private final WebServer server;

    public ApiServer(String host, int port, FunctionService functions, InvokeService invoker, EnvironmentPool pool,
                     FunctionLogs logs, CredentialsService credentials, SnapStartService snapStart,
                     EventQueue events, EventInvokeConfigs eventConfigs) {
        ControlApi control = new ControlApi(functions,
                sha -> "http://" + host + ":" + this.port() + PlatformApi.BASE + "/code/" + sha + ".zip");
        InvokeApi invoke = new InvokeApi(invoker, events);
        EventApi eventApi = new EventApi(events, eventConfigs);
        PlatformApi platform = new PlatformApi(pool, logs, functions.codeStore(), credentials, functions,
                snapStart);
        this.server = WebServer.builder()
                .host(host)
                .port(port)
                .shutdownGracePeriod(Duration.ofSeconds(1))
                .routing(r -> {
                    r.any((req, res) -> {
                        res.header(HeaderNames.create("x-amzn-RequestId"), UUID.randomUUID().toString());
                        res.next();
                    });
                    control.routes(r);
                    invoke.routes(r);
                    eventApi.routes(r);
                    platform.routes(r);
                    r.any((req, res) -> AwsErrors.send(req, res, AwsErrors.unknownOperation(req)));
                    r.error(Throwable.class, AwsErrors::send);
                })
                .build();
    }

    public ApiServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
