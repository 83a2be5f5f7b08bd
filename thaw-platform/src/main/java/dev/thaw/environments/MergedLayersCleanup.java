package dev.thaw.environments;

import dev.thaw.functions.FunctionLayer;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.VersionListener;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Removes {@code <home>/layers-merged/*} directories that nothing needs: at start, and whenever a version is retired
 * (deleted, or a $LATEST revision replaced) or a function deleted. A directory stays while a stored version (its
 * snapshot restores with it), an environment in an invocation or one being started uses its layer list.
 */
public final class MergedLayersCleanup implements VersionListener {
    private static final Logger LOG = Logger.getLogger(MergedLayersCleanup.class.getName());

    private final MergedLayers merged;
    private final Supplier<List<FunctionVersion>> storedVersions;
    private final EnvironmentPool pool;

    public MergedLayersCleanup(MergedLayers merged, Supplier<List<FunctionVersion>> storedVersions,
                               EnvironmentPool pool) {
        this.merged = merged;
        this.storedVersions = storedVersions;
        this.pool = pool;
    }

    /** Removes what nothing uses; returns how many directories went. */
    public int sweep() {
        List<List<FunctionLayer>> inUse = new ArrayList<>();
        for (FunctionVersion v : storedVersions.get()) {
            inUse.add(v.config().layers());
        }
        for (Environment env : pool.environments()) {
            // An idle environment of a version that is gone is being stopped and will not be invoked again.
            if (env.isInvoking()) {
                inUse.add(env.version().config().layers());
            }
        }
        for (FunctionVersion v : pool.starting()) {
            inUse.add(v.config().layers());
        }
        return merged.removeUnused(inUse);
    }

    @Override
    public void versionRetired(FunctionVersion version) {
        if (!version.config().layers().isEmpty()) {
            sweepQuietly();
        }
    }

    @Override
    public void functionDeleted(String functionName) {
        sweepQuietly();
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // A failed sweep only leaves files behind; the next one tries again.
            LOG.log(Level.WARNING, "removing unused merged layers", e);
        }
    }
}
