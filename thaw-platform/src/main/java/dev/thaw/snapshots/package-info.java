/**
 * SnapStart: snapshots of initialised environments, taken with CRIU at PublishVersion and restored on every cold
 * start of that version.
 *
 * <p>It owns finding and checking CRIU ({@link dev.thaw.snapshots.Criu}), taking a snapshot
 * ({@link dev.thaw.snapshots.SnapshotTaker}: INIT, the runtime's beforeCheckpoint hooks, a socket check, the dump),
 * storing it with a manifest that is checked before every restore ({@link dev.thaw.snapshots.SnapshotStore}),
 * encrypted at rest ({@link dev.thaw.snapshots.SealedFile} under a per-snapshot data key wrapped by the
 * {@link dev.thaw.snapshots.MasterKey}; plain images exist only in the tmpfs of {@link dev.thaw.snapshots.PlainImages}), and
 * restoring copies ({@link dev.thaw.snapshots.SnapshotRestorer}), each with its own pid namespace, stdio pipes and
 * Runtime API port, handed over on the copy's new stdin, from a {@link dev.thaw.snapshots.RestoreSlot} made ready
 * in advance (endpoint, cgroups, and CRIU already running in them, paused once it has made the copy's namespaces and
 * mounts; {@link dev.thaw.snapshots.RestoreSlots} keeps as many as {@link dev.thaw.snapshots.SpareCount} says recent
 * bursts needed), its huge pages taken from memory the host still backs ({@link dev.thaw.snapshots.WarmMemory}, sized to
 * recent bursts by {@link dev.thaw.snapshots.ReserveSize}). A
 * snapshot that is missing, corrupted or made on another JDK, CRIU, kernel or CPU, or that fails its
 * decryption, is never restored: the invoke runs an ordinary INIT and the snapshot is re-created.
 */
package dev.thaw.snapshots;
