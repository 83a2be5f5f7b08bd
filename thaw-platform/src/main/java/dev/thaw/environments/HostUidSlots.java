package dev.thaw.environments;

/**
 * Which slot of host uids a function's environments map to: each function has its own
 * {@value EnvironmentRoot#RANGE} uids (see {@link EnvironmentRoot#firstHostUid}), so that even code that escaped its
 * mount namespace could not touch another function's files or processes.
 */
@FunctionalInterface
public interface HostUidSlots {
    /** How many functions can have a slot: root's /etc/subuid range must cover them all (scripts/setup.sh). */
    int CAPACITY = 16_384;

    int slotOf(String functionName);
}
