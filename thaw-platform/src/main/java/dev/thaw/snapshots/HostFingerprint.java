package dev.thaw.snapshots;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a restored process silently depends on: the exact JDK build, the CRIU version, the kernel and the CPU's
 * feature flags (the JIT compiled code for them). A snapshot made under another fingerprint is re-created.
 */
public record HostFingerprint(String jdkBuild, String criuVersion, String kernelRelease, String cpuFlagsSha256) {

    /** The kernel and CPU cannot change under a running platform: read them once, not on every restore. */
    private static final String KERNEL_RELEASE = read("/proc/sys/kernel/osrelease");
    private static final String CPU_FLAGS_SHA256 = cpuFlags();

    public static HostFingerprint current(String jdkBuild, String criuVersion) {
        return new HostFingerprint(jdkBuild, criuVersion, KERNEL_RELEASE, CPU_FLAGS_SHA256);
    }

    /**
     * A short name for this fingerprint (16 hex digits of the SHA-256 of all four fields): where its snapshots are
     * kept in the object store, and whose claim a host takes to make one.
     */
    public String id() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(String.join("\n", jdkBuild, criuVersion,
                    kernelRelease, cpuFlagsSha256).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String cpuFlags() {
        String flags = read("/proc/cpuinfo").lines().filter(l -> l.startsWith("flags")).findFirst().orElse("");
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(flags.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
