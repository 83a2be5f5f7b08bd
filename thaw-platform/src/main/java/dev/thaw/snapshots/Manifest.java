package dev.thaw.snapshots;

import java.util.List;

/**
 * What a snapshot is and what it needs, written beside the images after a successful dump. Nothing is restored
 * unless the host still matches {@link #host}, every image file still matches {@link #files}, and the images
 * decrypt and authenticate under the data key that {@link #sealing} holds wrapped.
 */
public record Manifest(
        int formatVersion,
        String functionName,
        String version,
        String environmentKey,
        String createdAt,
        HostFingerprint host,
        StdioInodes stdio,
        List<ImageFile> files,
        long imageBytes,
        long rssBytesAtDump,
        double initMillis,
        double dumpMillis,
        List<String> warnings,
        Sealing sealing) {

    /**
     * 3: images encrypted at rest (SealedFile), older ones are plain and are deleted and re-created. 2: environments
     * in a user namespace and their own root (EnvironmentRoot).
     */
    public static final int FORMAT_VERSION = 3;

    /** Pipe inodes of the dumped process's fds 0, 1 and 2, which CRIU remaps to fresh pipes at restore. */
    public record StdioInodes(long stdin, long stdout, long stderr) {
    }

    /**
     * One image file as stored (sealed): its size, modification time and inode for the cheap check, its SHA-256 for
     * checking a copy end to end, and the size of its plain content.
     */
    public record ImageFile(String name, long size, long mtimeMillis, long inode, String sha256, long plainSize) {
    }

    /**
     * How the images are encrypted: the algorithm and chunk size, the master key's id, this snapshot's data key
     * wrapped under it, and an HMAC (under a key derived from the data key) of what this manifest says about the
     * snapshot's identity and files.
     */
    public record Sealing(String algorithm, int chunkBytes, String keyId, String wrappedDataKey, String tag) {
        public static final String ALGORITHM = "AES-256-GCM, chunked; data key wrapped with AES-KW";
    }
}
