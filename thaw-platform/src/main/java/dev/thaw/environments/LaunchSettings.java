package dev.thaw.environments;

import java.nio.file.Path;

/** What every environment launch needs from the platform's configuration. */
public record LaunchSettings(
        Path runtimeJar,
        Jdks jdks,
        String region,
        String accountId,
        FunctionLogs logs,
        dev.thaw.network.EnvironmentNetworks networks,
        Path codeRoot,
        CredentialsSource credentials,
        dev.thaw.cgroups.Cgroups cgroups,
        EnvironmentRoot root,
        HostUidSlots hostUidSlots,
        dev.thaw.priming.ClassPriming priming,
        MergedLayers layers) {
}
