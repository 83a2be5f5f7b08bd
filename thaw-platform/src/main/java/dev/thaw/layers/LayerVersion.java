package dev.thaw.layers;

import dev.thaw.functions.CodePackage;

import java.util.List;

/** One published layer version as the store keeps it; immutable until deleted. */
public record LayerVersion(
        String layerName,
        long version,
        String description,
        String licenseInfo,
        List<String> compatibleRuntimes,
        List<String> compatibleArchitectures,
        String createdDate,
        CodePackage content) {

    public LayerVersion {
        compatibleRuntimes = compatibleRuntimes == null ? List.of() : List.copyOf(compatibleRuntimes);
        compatibleArchitectures = compatibleArchitectures == null ? List.of() : List.copyOf(compatibleArchitectures);
    }
}
