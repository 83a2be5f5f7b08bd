package dev.thaw.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProvisionedPlacementTest {
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    private static int total(List<String> workers, String key, int wanted) {
        return workers.stream().mapToInt(w -> ProvisionedPlacement.share(workers, w, key, wanted)).sum();
    }

    @Test
    void theWorkersSharesAddUpToTheRequestedCopiesForAnyNumberOfWorkers() {
        for (int n = 1; n <= 5; n++) {
            List<String> workers = IntStream.range(0, n).mapToObj(i -> "worker-" + i).toList();
            for (int wanted = 0; wanted <= 11; wanted++) {
                for (String key : List.of("f:1", "g:7", "another:12")) {
                    assertEquals(wanted, total(workers, key, wanted), n + " workers, " + wanted + " of " + key);
                }
            }
        }
    }

    @Test
    void copiesAreSpreadAsEvenlyAsTheyDivide() {
        List<String> workers = List.of("a", "b", "c");
        for (String w : workers) {
            assertEquals(1, ProvisionedPlacement.share(workers, w, "f:1", 3));
            int share = ProvisionedPlacement.share(workers, w, "f:1", 7);
            assertTrue(share == 2 || share == 3, w + " keeps " + share);
        }
    }

    @Test
    void whenAWorkerLeavesTheOthersTakeOverItsShare() {
        List<String> three = List.of("a", "b", "c");
        List<String> two = List.of("a", "c");
        assertEquals(3, total(three, "f:1", 3));
        assertEquals(3, total(two, "f:1", 3));
        for (String w : two) {
            assertTrue(ProvisionedPlacement.share(two, w, "f:1", 3) >= ProvisionedPlacement.share(three, w, "f:1", 3));
        }
    }

    @Test
    void aWorkerOutsideTheListKeepsNothing() {
        assertEquals(0, ProvisionedPlacement.share(List.of("a", "b"), "z", "f:1", 5));
    }

    @Test
    void theOddCopiesOfDifferentVersionsDoNotAllLandOnOneWorker() {
        List<String> workers = List.of("a", "b", "c");
        long holdersOfAnOddCopy = IntStream.range(0, 30).mapToObj(i -> "fn-" + i + ":1")
                .map(key -> workers.stream().filter(w -> ProvisionedPlacement.share(workers, w, key, 1) == 1)
                        .findFirst().orElseThrow())
                .distinct().count();
        assertTrue(holdersOfAnOddCopy > 1, "one copy each of 30 versions all on one worker");
    }

    @Test
    void eachWorkerTakesItsShareFromTheLiveWorkersInTheRegistry() {
        try (dev.thaw.store.MetadataStore store = dev.thaw.store.MetadataStore.open(dir.resolve("metadata.db"))) {
            WorkerRegistry registry = new WorkerRegistry(store.cluster(), java.time.Clock.systemUTC());
            long now = registry.now();
            for (String id : List.of("a", "b", "c")) {
                registry.register(new WorkerStatus(id, id + ":1", "f", 1024, 1024, 0, java.util.Map.of(),
                        java.util.Set.of(), now, now));
            }
            int total = 0;
            for (String id : List.of("a", "b", "c")) {
                int share = new ProvisionedPlacement(id, registry).copiesHere("f:1", 4);
                assertTrue(share == 1 || share == 2, id + " keeps " + share);
                total += share;
            }
            assertEquals(4, total);
            assertEquals(4, new ProvisionedPlacement("alone", new WorkerRegistry(store.cluster(),
                    java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(1))))
                    .copiesHere("f:1", 4), "a worker that sees no other live worker keeps every copy");
        }
    }
}
