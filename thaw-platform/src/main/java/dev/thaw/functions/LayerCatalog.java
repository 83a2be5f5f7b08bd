package dev.thaw.functions;

import java.util.List;

/**
 * Looks up the layer versions a function names in {@code Layers}. Implemented by the layers package, which sits
 * above this one, so that functions never depend on it.
 */
public interface LayerCatalog {
    /** The most layers a function may use, as on Lambda. */
    int MAX_LAYERS = 5;

    /**
     * The layers in the order given.
     *
     * @throws dev.thaw.errors.ThawException InvalidParameterValueException for a malformed, unknown or deleted layer
     *                                       version ARN, a layer given twice, or more than {@value #MAX_LAYERS}
     */
    List<FunctionLayer> resolve(List<String> layerVersionArns);

    /** Makes sure a layer's content is on this host, fetching it from the object store when it is shared. */
    default void ensureContent(String sha256Hex) {
    }

    /** A catalog that holds no layer: any {@code Layers} is refused. */
    LayerCatalog NONE = arns -> {
        if (!arns.isEmpty()) {
            throw dev.thaw.errors.ThawException.invalidParameter("Layer version " + arns.getFirst()
                    + " does not exist.");
        }
        return List.of();
    };
}
