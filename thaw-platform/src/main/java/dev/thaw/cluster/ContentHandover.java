package dev.thaw.cluster;

import dev.thaw.errors.ThawException;
import dev.thaw.functions.CodeStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands a worker the code packages and layer archives it lacks, from this API instance's copy or else from a worker
 * that holds one (they may have been uploaded through another instance): when an invocation finds them missing, and
 * every second for what workers report missing for the provisioned copies they are to make.
 */
final class ContentHandover implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContentHandover.class.getName());
    private static final long PERIOD_MILLIS = 1_000;
    /** A worker reports what it lacks until its next heartbeat after receiving it: no second copy meanwhile. */
    private static final long RESEND_AFTER_MILLIS = 5_000;

    private final WorkerClient client;
    private final CodeStore code;
    private final CodeStore layers;
    private final Supplier<List<WorkerStatus>> workers;
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("content-handover").factory());

    ContentHandover(WorkerClient client, CodeStore code, CodeStore layers, Supplier<List<WorkerStatus>> workers) {
        this.client = client;
        this.code = code;
        this.layers = layers;
        this.workers = workers;
    }

    ContentHandover start() {
        ticker.scheduleWithFixedDelay(this::forProvisionedCopies, PERIOD_MILLIS, PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** Hands {@code worker} the code package {@code codeSha256} (when present) and the layers named. */
    void handOver(WorkerStatus worker, Optional<String> codeSha256, List<String> layerSha256s)
            throws WorkerClient.NotReached, WorkerClient.LostInFlight {
        if (codeSha256.isPresent()) {
            client.putCode(worker, codeSha256.get(), archive(code, codeSha256.get(), client::getCode));
        }
        for (String layer : layerSha256s) {
            client.putLayer(worker, layer, archive(layers, layer, client::getLayer));
        }
    }

    private void forProvisionedCopies() {
        long now = System.currentTimeMillis();
        sentAt.values().removeIf(at -> now - at > RESEND_AFTER_MILLIS);
        for (WorkerStatus worker : workers.get()) {
            for (WorkerStatus.ProvisionedReport report : worker.provisionedCopies().values()) {
                Optional<String> missingCode = Optional.of(report.missingCode())
                        .filter(sha -> !sha.isEmpty() && firstSend(worker, sha, now));
                List<String> missingLayers = report.missingLayers().stream()
                        .filter(sha -> firstSend(worker, sha, now)).toList();
                if (missingCode.isEmpty() && missingLayers.isEmpty()) {
                    continue;
                }
                try {
                    handOver(worker, missingCode, missingLayers);
                } catch (WorkerClient.NotReached | WorkerClient.LostInFlight | RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot hand worker " + worker.id() + " what its provisioned copies "
                            + "need: " + e.getMessage());
                }
            }
        }
    }

    private boolean firstSend(WorkerStatus worker, String sha256, long now) {
        return sentAt.putIfAbsent(worker.id() + "\n" + sha256, now) == null;
    }

    /** Reads an archive a worker holds (a code package or a layer). */
    @FunctionalInterface
    private interface WorkerCopy {
        Optional<byte[]> read(WorkerStatus worker, String sha256)
                throws WorkerClient.NotReached, WorkerClient.LostInFlight;
    }

    private byte[] archive(CodeStore local, String sha, WorkerCopy fromWorker) {
        try {
            return Files.readAllBytes(local.archivePath(sha));
        } catch (NoSuchFileException e) {
            for (WorkerStatus w : workers.get()) {
                try {
                    Optional<byte[]> copy = fromWorker.read(w, sha);
                    if (copy.isPresent()) {
                        return copy.get();
                    }
                } catch (WorkerClient.NotReached | WorkerClient.LostInFlight unavailable) {
                    // the next worker may hold it
                }
            }
            throw ThawException.service("Neither this instance nor any worker holds archive " + sha + ".", e);
        } catch (IOException e) {
            throw ThawException.service("cannot read archive " + sha, e);
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
