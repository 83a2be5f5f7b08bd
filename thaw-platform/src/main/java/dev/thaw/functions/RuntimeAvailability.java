package dev.thaw.functions;

/** Tells whether this host can run a runtime; implemented by the environments package, which knows the JDKs. */
public interface RuntimeAvailability {
    /** Throws InvalidParameterValueException naming what is missing when {@code runtime} cannot run here. */
    void requireAvailable(String runtime);

    /** Throws InvalidParameterValueException with the reason when this host cannot take snapshots. */
    void requireSnapshotSupport(String runtime);
}
