package dev.thaw.snapshots;

/**
 * Who makes a version's snapshot when hosts share snapshots through the object store: a host takes one only after
 * claiming it, so a version is checkpointed once per host fingerprint however many hosts need it. A claim is held
 * until {@link #release}d; an implementation shared between hosts lets a dead holder's claim expire.
 */
public interface SnapshotClaims {
    /** The claim on a version's first snapshot, taken at publish, which a host of any fingerprint may make. */
    String FIRST = "*";

    /** True when this host may make the snapshot now: the claim was free, expired, or already this host's. */
    boolean claim(String function, String version, String fingerprint);

    /** Gives a claim back once its snapshot is made (and uploaded) or could not be. */
    void release(String function, String version, String fingerprint);

    /** One host alone: every claim is granted, since no other host could make the snapshot instead. */
    SnapshotClaims THIS_HOST_ONLY = new SnapshotClaims() {
        @Override
        public boolean claim(String function, String version, String fingerprint) {
            return true;
        }

        @Override
        public void release(String function, String version, String fingerprint) {
        }
    };
}
