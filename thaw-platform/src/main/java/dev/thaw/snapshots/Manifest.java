package dev.thaw.snapshots;

import java.util.List;

/**
 * What a snapshot is and what it needs, written beside the images after a successful dump. Nothing is restored
 * unless the host still matches {@link #host} and every image file still matches {@link #files}.
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
        List<String> warnings) {

    /** 2: environments in a user namespace and their own root (EnvironmentRoot); older images need re-creating. */
    public static final int FORMAT_VERSION = 2;

    /** Pipe inodes of the dumped process's fds 0, 1 and 2, which CRIU remaps to fresh pipes at restore. */
    public record StdioInodes(long stdin, long stdout, long stderr) {
    }

    /** One image file: its size, modification time and inode for the cheap check, and its SHA-256 for the full one. */
    public record ImageFile(String name, long size, long mtimeMillis, long inode, String sha256) {
    }
}
