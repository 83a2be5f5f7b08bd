/**
 * Class priming: the platform's half of making a restored copy's first request as fast as a warm one for an
 * application that does no priming of its own.
 *
 * <p>It owns the list of classes recorded per function ({@link dev.thaw.priming.ClassPriming#record}, from the
 * reports of {@code $LATEST} environments, merged and bounded by {@link dev.thaw.priming.ClassNames}, kept in the
 * metadata store), what a SnapStart INIT is given to load before its checkpoint
 * ({@link dev.thaw.priming.ClassPriming#classesToPrime}), the switch that turns it off
 * ({@code THAW_CLASS_PRIMING=off}), and the runtime's account of what it primed
 * ({@link dev.thaw.priming.PrimingSummary}). The loading itself happens in the runtime.
 */
package dev.thaw.priming;
