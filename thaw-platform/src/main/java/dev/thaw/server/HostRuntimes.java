package dev.thaw.server;

import dev.thaw.environments.Jdks;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.RuntimeAvailability;
import dev.thaw.functions.Runtimes;

import java.util.function.Supplier;

/** What this host can run: managed Java runtimes whose JDK is installed, custom runtimes, and snapshots if CRIU works. */
final class HostRuntimes implements RuntimeAvailability {
    private final Jdks jdks;
    private final Supplier<String> snapshotUnavailableReason;

    HostRuntimes(Jdks jdks, Supplier<String> snapshotUnavailableReason) {
        this.jdks = jdks;
        this.snapshotUnavailableReason = snapshotUnavailableReason;
    }

    @Override
    public void requireAvailable(String runtime) {
        if (!Runtimes.isCustom(runtime)) {
            jdks.require(runtime);
        }
    }

    @Override
    public void requireSnapshotSupport(String runtime) {
        String reason = snapshotUnavailableReason.get();
        if (reason != null) {
            throw ThawException.invalidParameter("SnapStart is not available on this host: " + reason);
        }
    }
}
