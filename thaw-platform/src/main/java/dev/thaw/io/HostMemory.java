package dev.thaw.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The host's memory: its size, as {@code /proc/meminfo} gives it (the one reader of that file), and whether a
 * balloon device takes its free pages back.
 */
public final class HostMemory {
    /** virtio's device id of a memory balloon. */
    private static final String BALLOON_DEVICE = "0x0005";
    /** The balloon's feature bit for free page reporting (VIRTIO_BALLOON_F_REPORTING). */
    private static final int REPORTING_FEATURE = 5;

    private HostMemory() {
    }

    /**
     * Whether this is a virtual machine whose memory balloon reports free pages, so that the host takes back memory
     * that stays free and backs it again, slowly, at its next touch.
     */
    public static boolean freePageReporting() {
        return freePageReporting(Path.of("/sys/bus/virtio/devices"));
    }

    static boolean freePageReporting(Path virtioDevices) {
        if (!Files.isDirectory(virtioDevices)) {
            return false;
        }
        try (var devices = Files.list(virtioDevices)) {
            return devices.anyMatch(HostMemory::isReportingBalloon);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A device's {@code features} file lists the negotiated bits as '0' and '1', bit 0 first. */
    private static boolean isReportingBalloon(Path device) {
        try {
            String features = Files.readString(device.resolve("features")).trim();
            return Files.readString(device.resolve("device")).trim().equals(BALLOON_DEVICE)
                    && features.length() > REPORTING_FEATURE && features.charAt(REPORTING_FEATURE) == '1';
        } catch (IOException e) {
            return false;
        }
    }

    /** MemTotal in bytes; empty when the file has no such line. */
    public static OptionalLong totalBytes() {
        return totalBytes(Path.of("/proc/meminfo"));
    }

    static OptionalLong totalBytes(Path meminfo) {
        return field(meminfo, "MemTotal:");
    }

    /** MemAvailable in bytes: what the kernel estimates it can give without swapping; empty without the line. */
    public static OptionalLong availableBytes() {
        return availableBytes(Path.of("/proc/meminfo"));
    }

    static OptionalLong availableBytes(Path meminfo) {
        return field(meminfo, "MemAvailable:");
    }

    private static OptionalLong field(Path meminfo, String name) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith(name)) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("\\D", "")) * 1024);
                }
            }
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
