package dev.thaw.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.environments.Environment;
import dev.thaw.environments.EnvironmentPool;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.metrics.PlatformMetrics;
import dev.thaw.metrics.PrometheusMetrics;
import dev.thaw.metrics.RecentInvocations;
import dev.thaw.snapshots.Manifest;
import dev.thaw.snapshots.SnapStartService;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.webjars.WebJarVersionLocator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The web dashboard: {@code /thaw/ui} (a page, its script and style, and uPlot from its webjar, all served by the
 * platform so it works without internet access) and {@code GET /thaw/v1/dashboard}, the one JSON document the page
 * polls: functions and versions with SnapStart state, snapshot size and age and restore counts; live environments;
 * recent invocations marked cold, restored or warm; and latency percentiles and cold starts per interval.
 */
final class DashboardApi {
    static final String UI = "/thaw/ui";
    private static final String RESOURCES = "/dev/thaw/ui/";
    private static final Map<String, String> OWN_FILES = Map.of(
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8");
    private static final Map<String, String> UPLOT_FILES = Map.of(
            "uplot.js", "dist/uPlot.iife.min.js",
            "uplot.css", "dist/uPlot.min.css");
    private static final long INTERVAL_MILLIS = 10_000;
    private static final int INTERVALS = 30;
    private static final int RECENT = 50;

    private final FunctionService functions;
    private final EnvironmentPool pool;
    private final SnapStartService snapStart;
    private final PrometheusMetrics metrics;
    private final WebJarVersionLocator webjars = new WebJarVersionLocator();

    DashboardApi(FunctionService functions, EnvironmentPool pool, SnapStartService snapStart,
                 PrometheusMetrics metrics) {
        this.functions = functions;
        this.pool = pool;
        this.snapStart = snapStart;
        this.metrics = metrics;
    }

    void routes(HttpRouting.Builder r) {
        r.get(UI, (req, res) -> resource(res, RESOURCES + "index.html", "text/html; charset=utf-8"))
                .get(UI + "/{file}", this::file)
                .get(PlatformApi.BASE + "/dashboard", this::state);
    }

    private void file(ServerRequest req, ServerResponse res) {
        String file = Http.pathParam(req, "file");
        if (OWN_FILES.containsKey(file)) {
            resource(res, RESOURCES + file, OWN_FILES.get(file));
        } else if (UPLOT_FILES.containsKey(file)) {
            String path = webjars.fullPath("uplot", UPLOT_FILES.get(file));
            resource(res, "/" + path, file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
        } else {
            throw AwsErrors.unknownOperation(req);
        }
    }

    private static void resource(ServerResponse res, String path, String contentType) {
        try (InputStream in = DashboardApi.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + path + " is missing from the platform jar");
            }
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, contentType);
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.send(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void state(ServerRequest req, ServerResponse res) {
        long now = System.currentTimeMillis();
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("Now", now);
        List<RecentInvocations.Record> recent = metrics.recent().last(RecentInvocations.CAPACITY);
        Map<String, Double> restores = metrics.restoreCounts();
        ArrayNode fns = out.putArray("Versions");
        for (FunctionVersion v : functions.allStoredVersions()) {
            ObjectNode f = fns.addObject();
            f.put("FunctionName", v.functionName());
            f.put("Version", v.version());
            f.put("Runtime", v.config().runtime());
            f.put("MemorySize", v.config().memorySize());
            f.put("State", v.state().state().name());
            f.put("SnapStart", v.usesSnapshots());
            Optional<Manifest> m = v.usesSnapshots() ? snapStart.manifest(v) : Optional.empty();
            m.ifPresent(manifest -> {
                f.put("SnapshotBytes", manifest.imageBytes());
                f.put("SnapshotAgeSeconds", Duration.between(Instant.parse(manifest.createdAt()),
                        Instant.ofEpochMilli(now)).toSeconds());
            });
            f.put("Restores", restores.getOrDefault(v.functionName() + "\u0000" + v.version(), 0.0).longValue());
            long window = now - INTERVAL_MILLIS * INTERVALS;
            List<RecentInvocations.Record> mine = recent.stream().filter(r -> r.endedAtMillis() >= window
                    && r.function().equals(v.functionName()) && r.version().equals(v.version())).toList();
            f.put("RecentInvocations", mine.size());
            f.put("RecentErrors", mine.stream().filter(r -> !r.errorType().isEmpty()).count());
            f.put("RecentColdStarts", mine.stream().filter(r -> r.start() == PlatformMetrics.Start.INIT).count());
            f.put("RecentRestores", mine.stream().filter(r -> r.start() == PlatformMetrics.Start.RESTORE).count());
        }
        ArrayNode envs = out.putArray("Environments");
        for (Environment env : pool.environments()) {
            ObjectNode e = envs.addObject();
            e.put("Id", env.id());
            e.put("FunctionName", env.version().functionName());
            e.put("Version", env.version().version());
            e.put("State", env.isFrozen() ? "FROZEN" : env.state().name());
            e.put("Restored", env.restoreMillis() > 0);
            env.memoryBytes().ifPresent(b -> e.put("MemoryBytes", b));
            e.put("AgeSeconds", env.ageMillis() / 1000);
        }
        ArrayNode inv = out.putArray("RecentInvocations");
        List<RecentInvocations.Record> newest = recent.subList(Math.max(0, recent.size() - RECENT), recent.size());
        for (int i = newest.size() - 1; i >= 0; i--) {
            RecentInvocations.Record r = newest.get(i);
            ObjectNode n = inv.addObject();
            n.put("EndedAt", r.endedAtMillis());
            n.put("FunctionName", r.function());
            n.put("Version", r.version());
            n.put("Start", r.start().label());
            n.put("DurationMillis", Math.round(r.durationMillis() * 100) / 100.0);
            n.put("ErrorType", r.errorType());
        }
        ArrayNode series = out.putArray("Intervals");
        for (RecentInvocations.Interval i : metrics.recent().intervals(now, INTERVAL_MILLIS, INTERVALS)) {
            ObjectNode n = series.addObject();
            n.put("Start", i.startMillis());
            n.put("Invocations", i.invocations());
            n.put("P50Millis", i.p50Millis());
            n.put("P99Millis", i.p99Millis());
            n.put("ColdStarts", i.inits());
            n.put("Restores", i.restores());
            n.put("Errors", i.errors());
        }
        Http.json(res, 200, out);
    }
}
