package dev.thaw.environments;

import dev.thaw.functions.FunctionVersion;

/** Makes a new, ready environment for a version: by running INIT, or by restoring a snapshot. */
@FunctionalInterface
public interface EnvironmentProvider {
    Environment provide(FunctionVersion version) throws StartupFailure;
}
