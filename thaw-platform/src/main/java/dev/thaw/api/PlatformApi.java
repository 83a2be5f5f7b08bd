package dev.thaw.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.environments.Environment;
import dev.thaw.environments.EnvironmentPool;
import dev.thaw.environments.FunctionLogs;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.Arns;
import dev.thaw.functions.CodeStore;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.snapshots.Manifest;
import dev.thaw.snapshots.SnapStartService;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Thaw's own endpoints, for what AWS has no API for: health, the environments that run, evicting idle environments
 * (to force cold starts), logs, and downloading a deployed package (GetFunction's Code.Location points here).
 */
final class PlatformApi {
    static final String BASE = "/thaw/v1";

    private final EnvironmentPool pool;
    private final FunctionLogs logs;
    private final CodeStore code;
    private final FunctionService functions;
    private final SnapStartService snapStart;
    private volatile java.util.function.Function<String, java.util.Map<String, java.util.List<String>>> workerSnapshots;

    PlatformApi(EnvironmentPool pool, FunctionLogs logs, CodeStore code,
                FunctionService functions, SnapStartService snapStart) {
        this.functions = functions;
        this.snapStart = snapStart;
        this.pool = pool;
        this.logs = logs;
        this.code = code;
    }

    void routes(HttpRouting.Builder r) {
        r.get(BASE + "/health", (req, res) -> {
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.put("status", "ok");
            Http.json(res, 200, out);
        })
                .get(BASE + "/environments", this::environments)
                .post(BASE + "/evict", this::evict)
                .get(BASE + "/logs/{name}", this::logs)
                .get(BASE + "/code/{file}", this::download)
                .get(BASE + "/functions/{name}/versions/{version}/snapshot", this::snapshot);
    }

    private void environments(ServerRequest req, ServerResponse res) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("Environments");
        for (Environment env : pool.environments()) {
            ObjectNode e = items.addObject();
            e.put("Id", env.id());
            e.put("FunctionName", env.version().functionName());
            e.put("Version", env.version().version());
            e.put("Pid", env.pid());
            e.put("State", env.state().name());
            e.put("Frozen", env.isFrozen());
            e.put("Provisioned", env.isProvisioned());
            e.put("LastFreezeMicros", env.lastFreezeNanos() / 1000);
            e.put("LastThawMicros", env.lastThawNanos() / 1000);
        }
        Http.json(res, 200, out);
    }

    private void evict(ServerRequest req, ServerResponse res) {
        int stopped = pool.evictIdle(Http.query(req, "FunctionName").orElse(null));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("Evicted", stopped);
        Http.json(res, 200, out);
    }

    private void logs(ServerRequest req, ServerResponse res) {
        int limit = Http.intQuery(req, "Limit", 1, Integer.MAX_VALUE).orElse(1000);
        String function = Http.pathParam(req, "name");
        Arns.requireValidName(function);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode lines = out.putArray("Events");
        for (String line : logs.read(function, limit)) {
            int sp = line.indexOf(' ');
            ObjectNode e = lines.addObject();
            e.put("Timestamp", Long.parseLong(line.substring(0, sp)));
            e.put("Message", line.substring(sp + 1));
        }
        Http.json(res, 200, out);
    }

    void workerSnapshots(java.util.function.Function<String, java.util.Map<String, java.util.List<String>>> holders) {
        this.workerSnapshots = holders;
    }

    /**
     * A published version's snapshot: sizes, timings and the safety scan's warnings of this host's copy; with a
     * shared object store {@code SharedSnapshots}, the one snapshot per host fingerprint that hosts restore from;
     * in a cluster also {@code Fingerprints}, the workers holding a restorable copy, grouped by host fingerprint.
     */
    private void snapshot(ServerRequest req, ServerResponse res) {
        FunctionVersion v = functions.get(Http.pathParam(req, "name"), Http.pathParam(req, "version"));
        java.util.Map<String, java.util.List<String>> held = workerSnapshots == null ? java.util.Map.of()
                : workerSnapshots.apply(v.environmentKey());
        java.util.Optional<Manifest> local = snapStart.manifest(v);
        java.util.List<Manifest> shared = v.usesSnapshots() ? snapStart.sharedManifests(v) : java.util.List.of();
        if (local.isEmpty() && held.isEmpty() && shared.isEmpty()) {
            throw ThawException.notFound("Version " + v.version() + " of " + v.functionName()
                    + " has no snapshot (state " + v.state().state() + ").");
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("FunctionName", v.functionName());
        out.put("Version", v.version());
        if (!shared.isEmpty()) {
            ArrayNode sharedOut = out.putArray("SharedSnapshots");
            for (Manifest m : shared) {
                ObjectNode s = sharedOut.addObject();
                s.put("SnapshotFingerprint", m.host().id());
                s.put("JdkBuild", m.host().jdkBuild());
                s.put("CriuVersion", m.host().criuVersion());
                s.put("KernelRelease", m.host().kernelRelease());
                s.put("CreatedAt", m.createdAt());
                s.put("ImageBytes", m.imageBytes());
            }
        }
        if (workerSnapshots != null) {
            ArrayNode fingerprints = out.putArray("Fingerprints");
            held.forEach((fingerprint, workers) -> {
                ObjectNode f = fingerprints.addObject();
                f.put("Fingerprint", fingerprint);
                ArrayNode ids = f.putArray("Workers");
                workers.forEach(ids::add);
            });
        }
        if (local.isEmpty()) {
            Http.json(res, 200, out);
            return;
        }
        Manifest m = local.get();
        out.put("FunctionName", m.functionName());
        out.put("Version", m.version());
        out.put("CreatedAt", m.createdAt());
        out.put("ImageBytes", m.imageBytes());
        out.put("RssBytesAtCheckpoint", m.rssBytesAtDump());
        out.put("InitMillis", m.initMillis());
        out.put("DumpMillis", m.dumpMillis());
        ArrayNode warnings = out.putArray("Warnings");
        m.warnings().forEach(warnings::add);
        Http.json(res, 200, out);
    }

    /** A package another instance stored is fetched from the object store; one that is nowhere stays a 404. */
    static void fetchQuietly(CodeStore store, String sha256Hex) {
        try {
            store.ensure(sha256Hex);
        } catch (ThawException e) {
            // answered below as missing
        }
    }

    private void download(ServerRequest req, ServerResponse res) {
        String file = Http.pathParam(req, "file");
        if (!file.matches("[0-9a-f]{64}\\.zip")) {
            throw ThawException.notFound("No such code package: " + file);
        }
        Path archive = code.archivePath(file.substring(0, 64));
        fetchQuietly(code, file.substring(0, 64));
        if (!Files.isRegularFile(archive)) {
            throw ThawException.notFound("No such code package: " + file);
        }
        try {
            res.header(HeaderNames.CONTENT_TYPE, "application/zip");
            res.send(Files.readAllBytes(archive));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
