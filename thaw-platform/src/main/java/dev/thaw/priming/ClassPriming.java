package dev.thaw.priming;

import dev.thaw.contract.RuntimeContract;
import dev.thaw.functions.FunctionConfig;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.store.MetadataStore;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The classes a function's code loads while {@code $LATEST} serves invocations, recorded from its environments'
 * reports, and handed to the INIT of each SnapStart version published later, which loads and links them before
 * its checkpoint. One list per function, of the code it was recorded from: a report from other code (after
 * UpdateFunctionCode) starts the list again. A version published from other code than the list's still gets it;
 * names that no longer load are skipped and counted by the runtime.
 */
public final class ClassPriming {
    private final MetadataStore store;

    public ClassPriming(MetadataStore store) {
        this.store = store;
    }

    /** Off when the function sets {@code THAW_CLASS_PRIMING=off}: nothing is recorded and nothing primed. */
    public static boolean enabled(FunctionConfig config) {
        return !RuntimeContract.CLASS_PRIMING_OFF.equalsIgnoreCase(
                config.environment().getOrDefault(RuntimeContract.CLASS_PRIMING, "").strip());
    }

    /** Whether environments of {@code version} report what they load: {@code $LATEST}, with priming on. */
    public static boolean records(FunctionVersion version) {
        return version.isLatest() && enabled(version.config());
    }

    /** Adds a {@code $LATEST} environment's report to its function's list. */
    public synchronized void record(FunctionVersion latest, byte[] report) {
        List<String> added = ClassNames.parse(report);
        if (added.isEmpty()) {
            return;
        }
        String code = latest.code().sha256Hex();
        List<String> kept = store.loadedClasses(latest.functionName())
                .filter(stored -> stored.codeSha256().equals(code))
                .map(stored -> ClassNames.parse(stored.names().getBytes(StandardCharsets.UTF_8)))
                .orElse(List.of());
        List<String> merged = ClassNames.merge(kept, added, ClassNames.MAX_NAMES);
        if (merged.size() > kept.size() || kept.isEmpty()) {
            store.putLoadedClasses(latest.functionName(), new MetadataStore.LoadedClasses(code,
                    ClassNames.format(merged)));
        }
    }

    /** The names recorded for {@code functionName}, in recorded order; empty when none are. */
    public List<String> recorded(String functionName) {
        return store.loadedClasses(functionName)
                .map(stored -> ClassNames.parse(stored.names().getBytes(StandardCharsets.UTF_8)))
                .orElse(List.of());
    }

    /** What a SnapStart INIT of {@code version} loads before its checkpoint: one name a line, or nothing when off. */
    public byte[] classesToPrime(FunctionVersion version) {
        if (!enabled(version.config())) {
            return new byte[0];
        }
        return store.loadedClasses(version.functionName()).map(MetadataStore.LoadedClasses::names)
                .map(names -> names.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
    }
}
