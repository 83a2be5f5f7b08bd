package dev.thaw.priming;

import dev.thaw.functions.CodePackage;
import dev.thaw.functions.FunctionConfig;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.SnapStartMode;
import dev.thaw.functions.VersionState;
import dev.thaw.store.MetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-function list of loaded classes, against a real metadata store. */
class ClassPrimingTest {
    @TempDir
    Path dir;

    private static FunctionVersion version(String version, String codeSha, Map<String, String> env) {
        FunctionConfig config = new FunctionConfig("java17", "p.Handler", "r", "", 256, 3, 512, env,
                SnapStartMode.PUBLISHED_VERSIONS);
        return new FunctionVersion("fn", version, config, new CodePackage(codeSha, "", 1), "now", "rev", VersionState.active(),
                FunctionVersion.SnapshotStatus.Off);
    }

    private static byte[] lines(String... names) {
        return String.join("\n", names).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void reportsOfTheSameCodeMergeAndAPublishedVersionGetsThemInRecordedOrder() {
        try (MetadataStore store = MetadataStore.open(dir.resolve("m.db"))) {
            store.insertFunction("fn", "{}", "now");
            ClassPriming priming = new ClassPriming(store);
            priming.record(version("$LATEST", "code1", Map.of()), lines("p.A", "p.B"));
            priming.record(version("$LATEST", "code1", Map.of()), lines("p.B", "p.C"));
            assertEquals(List.of("p.A", "p.B", "p.C"), priming.recorded("fn"));
            assertEquals("p.A\np.B\np.C",
                    new String(priming.classesToPrime(version("1", "code1", Map.of())), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aReportFromOtherCodeStartsTheListAgain() {
        try (MetadataStore store = MetadataStore.open(dir.resolve("m.db"))) {
            store.insertFunction("fn", "{}", "now");
            ClassPriming priming = new ClassPriming(store);
            priming.record(version("$LATEST", "code1", Map.of()), lines("p.Old"));
            priming.record(version("$LATEST", "code2", Map.of()), lines("p.New"));
            assertEquals(List.of("p.New"), priming.recorded("fn"));
        }
    }

    @Test
    void theOffSwitchStopsRecordingAndPriming() {
        try (MetadataStore store = MetadataStore.open(dir.resolve("m.db"))) {
            store.insertFunction("fn", "{}", "now");
            ClassPriming priming = new ClassPriming(store);
            priming.record(version("$LATEST", "code1", Map.of()), lines("p.A"));
            Map<String, String> off = Map.of("THAW_CLASS_PRIMING", "off");
            assertFalse(ClassPriming.records(version("$LATEST", "code1", off)));
            assertTrue(ClassPriming.records(version("$LATEST", "code1", Map.of())));
            assertFalse(ClassPriming.records(version("1", "code1", Map.of())), "only $LATEST records");
            assertEquals(0, priming.classesToPrime(version("1", "code1", off)).length);
        }
    }

    @Test
    void theListGoesWithItsFunctionAndAReportForADeletedFunctionIsDropped() {
        try (MetadataStore store = MetadataStore.open(dir.resolve("m.db"))) {
            store.insertFunction("fn", "{}", "now");
            ClassPriming priming = new ClassPriming(store);
            priming.record(version("$LATEST", "code1", Map.of()), lines("p.A"));
            store.deleteFunction("fn");
            assertEquals(List.of(), priming.recorded("fn"));
            priming.record(version("$LATEST", "code1", Map.of()), lines("p.B"));
            assertEquals(List.of(), priming.recorded("fn"));
        }
    }

    @Test
    void aCheckpointRequestSummaryIsReadToleratingMissingFields() {
        FunctionVersion v = version("1", "code1", Map.of());
        assertEquals(new PrimingSummary(true, 412, 3, 2, 1), PrimingSummary.of(v,
                lines("{\"primedClasses\":412,\"unloadableClasses\":3,\"primingEvents\":2,\"failedPrimingEvents\":1}")));
        assertEquals(new PrimingSummary(true, 0, 0, 0, 0), PrimingSummary.of(v, new byte[0]));
        assertEquals(new PrimingSummary(false, 0, 0, 0, 0),
                PrimingSummary.of(version("1", "code1", Map.of("THAW_CLASS_PRIMING", "OFF")), lines("not json")));
    }
}
