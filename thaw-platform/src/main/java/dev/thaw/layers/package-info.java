/**
 * Lambda layers: PublishLayerVersion and the calls that read, list and delete layer versions. A layer version's
 * metadata is a document in the store's {@code layer_versions} table; its archive and extracted tree live in a
 * content-addressed {@link dev.thaw.functions.CodeStore} of its own ({@code <home>/layers}). A deleted version's
 * content stays while a function version still uses it, as on Lambda. {@link Layers} is the functions package's
 * {@link dev.thaw.functions.LayerCatalog}: it checks the {@code Layers} of CreateFunction and
 * UpdateFunctionConfiguration. {@link LayerVersionPolicies} keeps each version's resource-based policy
 * (AddLayerVersionPermission and the rest) in {@code layer_version_permissions}; deleting a version deletes its
 * policy. How layers reach an environment's {@code /opt} is the environments package's.
 */
package dev.thaw.layers;
