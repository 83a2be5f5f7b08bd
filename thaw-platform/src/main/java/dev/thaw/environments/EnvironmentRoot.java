package dev.thaw.environments;

import dev.thaw.io.DeathGuard;
import dev.thaw.io.FileTrees;
import dev.thaw.io.ProcStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox every environment, plain or snapshot, runs in: its own user, pid, ipc, uts and mount namespaces, the
 * network namespace its Runtime API endpoint was made in (see {@code dev.thaw.network}), and a minimal root
 * filesystem entered with pivot_root.
 *
 * <p>Inside, the runtime is uid 0 and pid 1; on the host it is an unprivileged uid of its function's own range
 * ({@link #firstHostUid}: {@value #HOST_UID} and up, from root's /etc/subuid range), so it cannot signal, read or write anything of the host's that is not world-accessible.
 * Its root holds read-only binds of /usr and /etc, its own code at /var/task, Thaw's runtime at /var/runtime, its
 * layers merged at /opt, a
 * tmpfs /tmp bounded by EphemeralStorage, a read-only /dev with the null, zero, full, random and urandom devices
 * (/dev/shm is the environment's /tmp), and a fresh /proc. It never sees the platform's home: not other functions'
 * code, not snapshots, not the database.
 *
 * <p>The binds of host paths are made as host root in an outer mount namespace; the user namespace and everything it
 * owns are created after them. CRIU dumps these binds as external mounts and re-creates them at restore under
 * {@link #directory()} ({@code criu restore --root}), which is why the skeleton lives at a fixed path per home. CRIU
 * re-creates them from inside the restored user namespace, so their sources must be reachable by the mapped uid:
 * the home's code and runtime directories (the home may sit under /root, mode 700) are exposed read-only through
 * world-traversable bind mounts beside the skeleton, {@code <base>/code}, {@code <base>/runtime} and
 * {@code <base>/layers}.
 */
public final class EnvironmentRoot {
    /** First host uid (and gid) of the first function's range, mapped to 0..65535 inside its environments. */
    public static final int HOST_UID = 100_000;
    /** Host uids per function. */
    public static final int RANGE = 65_536;
    /** Top-level host directories that are symlinks on merged-/usr systems and copied into the skeleton as such. */
    private static final List<String> USR_LINKS = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");
    private static final List<String> MOUNT_POINTS = List.of("usr", "etc", "var/task", "var/runtime", "var/aot",
            "opt", "tmp", "dev", "proc", ".oldroot");
    /**
     * Host devices bound into every environment's /dev. /dev itself is a directory of the skeleton, not a mount of
     * its own: CRIU restores a tmpfs that holds anything by unpacking a tar of it, about 5 ms each, on every restore.
     */
    private static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom");
    /** /dev's links: the standard streams, and shared memory in the environment's /tmp (it counts against it). */
    private static final Map<String, String> DEV_LINKS = Map.of("fd", "/proc/self/fd", "stdin", "/proc/self/fd/0",
            "stdout", "/proc/self/fd/1", "stderr", "/proc/self/fd/2", "shm", "/tmp");

    /**
     * Runs as host root in a fresh private mount namespace, inside the environment's network namespace: moves itself
     * into the environment's cgroups, drops its copy of the host's network namespace files (which would otherwise
     * keep every other environment's namespace alive as long as this one runs), binds the host paths read-only into
     * the skeleton, then enters the user namespace that owns the rest.
     * Arguments: procs files (colon-separated, or -), skeleton, code dir, runtime dir, extra read-only paths (or -),
     * AOT cache dir (or -) and ro|rw, /tmp size in MB, the inner script, the first host uid, the merged layers for
     * /opt (or -: the skeleton's empty /opt), then the command.
     */
    private static final String OUTER = """
            set -e
            procs=$1 root=$2 code=$3 runtime=$4 extra=$5 aot=$6 aotmode=$7 tmp=$8 inner=$9; shift 9
            uid=$1 opt=$2; shift 2
            if [ "$procs" != - ]; then for f in $(echo "$procs" | tr : ' '); do echo $$ > "$f" || exit 97; done; fi
            umount -l /run/netns 2>/dev/null || true
            ro() { mount --rbind "$1" "$2"; mount -o remount,bind,ro "$2"; }
            ro /usr "$root/usr"; ro /etc "$root/etc"; ro "$code" "$root/var/task"; ro "$runtime" "$root/var/runtime"
            if [ "$opt" != - ]; then ro "$opt" "$root/opt"; fi
            if [ "$extra" != - ]; then for p in $(echo "$extra" | tr : ' '); do ro "$p" "$root$p"; done; fi
            if [ "$aot" != - ]; then mount --bind "$aot" "$root/var/aot"
                [ "$aotmode" = rw ] || mount -o remount,bind,ro "$root/var/aot"; fi
            exec unshare --user --map-users=$uid,0,%1$d --map-groups=$uid,0,%1$d --setuid 0 --setgid 0 \
                --pid --ipc --uts --mount --fork --kill-child -- /bin/sh -c "$inner" environment "$root" "$tmp" "$@"
            """.formatted(RANGE);

    /**
     * Runs as the environment's root, pid 1 of its namespace: mounts what belongs to the environment alone, then
     * pivots into the skeleton (a bind of it onto itself, since pivot_root refuses the locked copy) and drops the
     * host's tree.
     */
    private static final String INNER = """
            set -e
            root=$1 tmp=$2; shift 2
            mount --rbind "$root" "$root"
            mount -t tmpfs -o size=${tmp}m,mode=1777 tmpfs "$root/tmp"
            for d in %s; do mount --bind "/dev/$d" "$root/dev/$d"; done
            mount -t proc proc "$root/proc"
            cd "$root"; PATH="$PATH:/usr/sbin:/sbin" pivot_root . .oldroot; umount -l /.oldroot; cd /var/task
            exec setsid "$@"
            """.formatted(String.join(" ", DEVICES));

    /** Inside the environment: the function's code and Thaw's runtime. */
    public static final String TASK_ROOT = "/var/task";
    public static final String RUNTIME_DIR = "/var/runtime";
    /** Inside the environment: the function's layers, merged in order, read-only (empty without layers). */
    public static final String LAYERS_DIR = "/opt";

    /** CRIU's names for the two per-home external mounts, given at dump and mapped to host paths at restore. */
    public static final String TASK_MOUNT_KEY = "task";
    public static final String RUNTIME_MOUNT_KEY = "runtime";
    /** CRIU's name for a layered version's {@code /opt}. */
    public static final String LAYERS_MOUNT_KEY = "opt";

    /** Under the base directory: the skeleton, and the read-only exposures of the home's code and runtime. */
    private static final String SKELETON = "root";
    private static final String EXPOSED_CODE = "code";
    private static final String EXPOSED_RUNTIME = "runtime";
    private static final String EXPOSED_LAYERS = "layers";

    private final Path base;
    private final List<Path> extraReadOnly;
    private final DeathGuard guard;

    private EnvironmentRoot(Path base, List<Path> extraReadOnly, DeathGuard guard) {
        this.guard = guard;
        this.base = base;
        this.extraReadOnly = extraReadOnly;
    }

    /**
     * Creates the skeleton under {@code base} (world-traversable, so the mapped root can reach it), exposes the code
     * and runtime directories beside it, and checks once that this host can create the user namespace. Mounts a
     * killed platform left behind are removed first.
     *
     * @param hostPaths directories environments need beyond /usr and /etc (JDKs installed elsewhere)
     * @throws IllegalStateException with what to fix when the host cannot run environments this way
     */
    public static EnvironmentRoot prepare(Path base, Path codeRoot, Path runtimeDir, Path mergedLayersRoot,
                                          List<Path> hostPaths) {
        List<Path> extra = new ArrayList<>();
        for (Path p : hostPaths) {
            Path abs = p.toAbsolutePath().normalize();
            if (!abs.startsWith("/usr") && !abs.startsWith("/etc") && Files.isDirectory(abs)) {
                extra.add(abs);
            }
        }
        removeAll(base);
        Path skeleton = base.resolve(SKELETON);
        try {
            createWorldReadable(base);
            for (String m : MOUNT_POINTS) {
                createWorldReadable(skeleton.resolve(m));
            }
            for (String d : DEVICES) {
                Files.createFile(skeleton.resolve("dev").resolve(d));
            }
            for (Map.Entry<String, String> link : DEV_LINKS.entrySet()) {
                Files.createSymbolicLink(skeleton.resolve("dev").resolve(link.getKey()), Path.of(link.getValue()));
            }
            for (String name : USR_LINKS) {
                Path host = Path.of("/", name);
                if (Files.isSymbolicLink(host)) {
                    Files.createSymbolicLink(skeleton.resolve(name), Files.readSymbolicLink(host));
                } else if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                    extra.add(host);
                }
            }
            for (Path p : extra) {
                createWorldReadable(skeleton.resolve(p.toString().substring(1)));
            }
            Files.createDirectories(codeRoot);
            Files.setPosixFilePermissions(codeRoot, PosixFilePermissions.fromString("rwx--x--x"));
            exposeReadOnly(codeRoot, base.resolve(EXPOSED_CODE));
            exposeReadOnly(runtimeDir, base.resolve(EXPOSED_RUNTIME));
            Files.createDirectories(mergedLayersRoot);
            Files.setPosixFilePermissions(mergedLayersRoot, PosixFilePermissions.fromString("rwx--x--x"));
            exposeReadOnly(mergedLayersRoot, base.resolve(EXPOSED_LAYERS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the environments' root skeleton at " + skeleton, e);
        }
        checkUserNamespace();
        return new EnvironmentRoot(base, List.copyOf(extra), startGuard(base));
    }

    /** Where a code directory under the home's code root is visible to environments and to CRIU's restore. */
    public Path exposedCode(Path taskRoot) {
        return base.resolve(EXPOSED_CODE).resolve(taskRoot.getFileName());
    }

    /** Where a merged layers directory (see {@link MergedLayers}) is visible to environments and to CRIU's restore. */
    public Path exposedLayers(Path mergedLayers) {
        return base.resolve(EXPOSED_LAYERS).resolve(mergedLayers.getFileName());
    }

    /** Where the home's runtime directory is visible to environments and to CRIU's restore. */
    public Path exposedRuntime() {
        return base.resolve(EXPOSED_RUNTIME);
    }

    /** The skeleton every environment pivots into; CRIU's {@code --root} at restore. */
    public Path directory() {
        return base.resolve(SKELETON);
    }

    /**
     * The command that starts {@code command} in a new environment. The spawned process stays outside the
     * namespaces and is the parent of the environment's main process (see {@link #isEnvironmentMain}).
     */
    List<String> wrap(Path network, int firstHostUid, List<Path> cgroupProcs, Path taskRoot, Path mergedLayers,
                      AotCacheFiles aot, boolean aotWritable, int tmpMegabytes, List<String> command) {
        String procs = cgroupProcs.isEmpty() ? "-"
                : String.join(":", cgroupProcs.stream().map(Path::toString).toList());
        String extra = extraReadOnly.isEmpty() ? "-"
                : String.join(":", extraReadOnly.stream().map(Path::toString).toList());
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--",
                "nsenter", "--net=" + network, "--",
                "unshare", "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", OUTER, "environment", procs, directory().toString(),
                exposedCode(taskRoot).toString(), exposedRuntime().toString(), extra,
                aot == null ? "-" : aot.directory().toString(), aotWritable ? "rw" : "ro",
                Integer.toString(tmpMegabytes), INNER, Integer.toString(firstHostUid),
                mergedLayers == null ? "-" : exposedLayers(mergedLayers).toString()));
        cmd.addAll(command);
        return cmd;
    }

    /**
     * Whether {@code pid} is an environment's main process rather than a helper of its launch (unshare forks one
     * to write the uid map): the main process lives in a pid namespace of its own, so NSpid lists two pids.
     */
    static boolean isEnvironmentMain(long pid) {
        return ProcStatus.field(pid, "NSpid").map(pids -> pids.split("\\s+").length > 1).orElse(false);
    }

    /** Removes the exposures and the skeleton (environments are stopped by then; all is re-created at start). */
    public void delete() {
        removeAll(base);
        guard.dismiss();
    }

    /**
     * If the platform dies, its exposures are unmounted and the skeleton removed, as {@link #delete()} would: the
     * read-only binds of the home's code would otherwise stay on the host until the same home starts again. The
     * tree is removed only once nothing under it is mounted, and never across a file system.
     */
    private static DeathGuard startGuard(Path base) {
        String cleanup = """
                base=$1
                umount -l "$base/%s" 2>/dev/null; umount -l "$base/%s" 2>/dev/null; umount -l "$base/%s" 2>/dev/null
                grep -q " $base/" /proc/self/mountinfo || rm -rf --one-file-system "$base"
                """.formatted(EXPOSED_CODE, EXPOSED_RUNTIME, EXPOSED_LAYERS);
        return DeathGuard.start("thaw-root-guard", cleanup, List.of(base.toString()));
    }

    private static void removeAll(Path base) {
        try {
            for (Path exposed : List.of(base.resolve(EXPOSED_CODE), base.resolve(EXPOSED_RUNTIME),
                    base.resolve(EXPOSED_LAYERS))) {
                if (isMountPoint(exposed)) {
                    run("umount", "-l", exposed.toString());
                }
                Files.deleteIfExists(exposed);
            }
            // Only the skeleton is walked: it holds no mounts on the host, just empty directories and links.
            FileTrees.delete(base.resolve(SKELETON));
            Files.deleteIfExists(base);
        } catch (IOException e) {
            java.util.logging.Logger.getLogger(EnvironmentRoot.class.getName())
                    .warning("cannot remove " + base + ": " + e);
        }
    }

    private static void exposeReadOnly(Path source, Path target) throws IOException {
        createWorldReadable(target);
        run("mount", "--bind", source.toString(), target.toString());
        run("mount", "-o", "remount,bind,ro", target.toString());
    }

    private static boolean isMountPoint(Path path) throws IOException {
        String p = path.toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (line.split(" ")[4].equals(p)) {
                return true;
            }
        }
        return false;
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    /** The first host uid (and gid) of the functions' {@code slot}. */
    public static int firstHostUid(int slot) {
        if (slot < 0 || slot >= HostUidSlots.CAPACITY) {
            throw new IllegalArgumentException("host uid slot " + slot);
        }
        return HOST_UID + slot * RANGE;
    }

    /** Checks the last function slot's range: if that one maps, so does every other. */
    private static void checkUserNamespace() {
        int last = firstHostUid(HostUidSlots.CAPACITY - 1);
        long all = (long) HostUidSlots.CAPACITY * RANGE;
        String fix = "environments run in user namespaces mapped to a range of " + RANGE + " host uids per function, "
                + "within " + HOST_UID + "-" + (HOST_UID + all - 1) + ": run the platform as root, install uidmap "
                + "(newuidmap), and add 'root:" + HOST_UID + ":" + all + "' to /etc/subuid and /etc/subgid "
                + "(scripts/setup.sh does all this)";
        try {
            Process p = new ProcessBuilder("unshare", "--user", "--map-users=" + last + ",0," + RANGE,
                    "--map-groups=" + last + ",0," + RANGE, "--setuid", "0", "--setgid", "0", "--pid", "--mount",
                    "--fork", "true").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("cannot create an environment's namespaces (" + out + "): " + fix);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run unshare (" + e.getMessage() + "): " + fix, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking user namespaces", e);
        }
    }

    private static void createWorldReadable(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
