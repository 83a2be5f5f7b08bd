package dev.thaw.runtime;

import java.io.IOException;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives each restored copy its own JDK-global random state. Every copy of a snapshot starts from the same
 * memory, so without this {@code Math.random()}, {@code new Random()}, {@code ThreadLocalRandom},
 * {@code UUID.randomUUID()} and friends would produce the same values in every copy.
 *
 * <p>The fields, the same in JDK 17 and 25 (checked with javap against both):
 * <ul>
 *   <li>static {@code Math$RandomNumberGeneratorHolder.randomNumberGenerator}, and StrictMath's;</li>
 *   <li>static AtomicLongs {@code Random.seedUniquifier}, {@code ThreadLocalRandom.seeder},
 *       {@code SplittableRandom.defaultGen}, and static Random {@code Collections.r} (shuffle);</li>
 *   <li>per thread, {@code Thread.threadLocalRandomSeed/Probe/SecondarySeed}: still on Thread in 25, where a
 *       virtual thread shares its carrier's probe;</li>
 *   <li>{@code UUID$Holder.numberGenerator}; {@code NativePRNG.INSTANCE}, a {@code RandomIO} with
 *       {@code mixRandom}, {@code buffered} and {@code LOCK_GET_BYTES}; and
 *       {@code sun.security.provider.SecureRandom$SeederHolder.seeder}, which seeds every unseeded SHA1PRNG;</li>
 *   <li>static {@code defaultGen} of the RandomGenerator algorithms, in module jdk.random (package jdk.random)
 *       on 17 and 21 and in java.base (package jdk.internal.random) on 25.</li>
 * </ul>
 *
 * <p>Each step stands alone: a failure is reported on stderr with the {@code --add-opens} it needs, and the
 * other steps still run.
 */
public final class Reseeder {

    private static final int ENTROPY_BYTES = 512;
    private static final String[] RANDOM_GENERATOR_ALGORITHMS = {
        "L32X64MixRandom", "L64X128MixRandom", "L64X128StarStarRandom", "L64X256MixRandom", "L64X1024MixRandom",
        "L128X128MixRandom", "L128X256MixRandom", "L128X1024MixRandom", "Xoroshiro128PlusPlus",
    };

    private final List<Step> steps = List.of(
            new Step("Math.random", Reseeder::reseedRandom,
                    new StaticField("java.lang.Math$RandomNumberGeneratorHolder", "randomNumberGenerator")),
            new Step("StrictMath.random", Reseeder::reseedRandom,
                    new StaticField("java.lang.StrictMath$RandomNumberGeneratorHolder", "randomNumberGenerator")),
            new Step("Random seed uniquifier", Reseeder::reseedAtomicLong,
                    new StaticField("java.util.Random", "seedUniquifier")),
            new Step("ThreadLocalRandom", Reseeder::reseedThreadLocalRandom,
                    new StaticField("java.util.concurrent.ThreadLocalRandom", "seeder")),
            new Step("SplittableRandom", Reseeder::reseedAtomicLong,
                    new StaticField("java.util.SplittableRandom", "defaultGen")),
            new Step("Collections.shuffle", Reseeder::reseedRandom,
                    new StaticField("java.util.Collections", "r")),
            new Step("RandomGenerator algorithms", Reseeder::reseedAtomicLong, randomGeneratorDefaults()),
            new Step("UUID.randomUUID", Reseeder::reseedSecureRandom,
                    new StaticField("java.util.UUID$Holder", "numberGenerator")),
            new Step("NativePRNG", Reseeder::reseedNativePrng,
                    new StaticField("sun.security.provider.NativePRNG", "INSTANCE")),
            new Step("SHA1PRNG seeder", Reseeder::reseedSha1Prng,
                    new StaticField("sun.security.provider.SecureRandom$SeederHolder", "seeder")));

    /**
     * Run before the snapshot: initialises every holder this class can reach and re-seeds it once, so that
     * after restore {@link #reseed()} runs warm code on loaded classes (under a millisecond instead of tens).
     * A holder that cannot be reached is left alone: initialising it would freeze its seed into the snapshot
     * with no way to change it.
     */
    public void prime() {
        Entropy entropy = freshEntropy();
        for (Step step : steps) {
            try {
                step.prime();
                step.reseed(entropy);
            } catch (Exception | LinkageError e) {
                report("cannot re-seed " + step.name + " after restore, left uninitialised", e);
            }
        }
    }

    /** Re-seeds with bytes from /dev/urandom. Returns the names of the steps that failed. */
    public List<String> reseed() {
        return reseed(freshEntropy());
    }

    private static Entropy freshEntropy() {
        try {
            return Entropy.fromUrandom(ENTROPY_BYTES);
        } catch (IOException e) {
            report("/dev/urandom unreadable, falling back to clock-derived seeds", e);
            return Entropy.of(clockDerivedBytes());
        }
    }

    List<String> reseed(Entropy entropy) {
        List<String> failed = new ArrayList<>();
        for (Step step : steps) {
            try {
                step.reseed(entropy);
            } catch (Exception | LinkageError e) {
                failed.add(step.name);
                report("re-seeding " + step.name + " failed", e);
            }
        }
        return failed;
    }

    private static void reseedRandom(Object random, Entropy entropy) {
        if (random != null) { // Collections' Random exists only once shuffle(List) has run
            ((Random) random).setSeed(entropy.nextLong());
        }
    }

    private static void reseedAtomicLong(Object atomic, Entropy entropy) {
        ((AtomicLong) atomic).set(entropy.nextLong());
    }

    private static void reseedSecureRandom(Object secureRandom, Entropy entropy) {
        ((SecureRandom) secureRandom).setSeed(entropy.nextBytes(32)); // adds to its state, never replaces it
    }

    /** A new seeder, and every thread's seed and probe zeroed so ThreadLocalRandom.current() draws from it again. */
    private static void reseedThreadLocalRandom(Object seeder, Entropy entropy) throws ReflectiveOperationException {
        ((AtomicLong) seeder).set(entropy.nextLong());
        Field seed = accessible(Thread.class.getDeclaredField("threadLocalRandomSeed"));
        Field probe = accessible(Thread.class.getDeclaredField("threadLocalRandomProbe"));
        Field secondary = accessible(Thread.class.getDeclaredField("threadLocalRandomSecondarySeed"));
        for (Thread thread : liveThreads()) {
            seed.setLong(thread, 0L);
            secondary.setInt(thread, 0);
            probe.setInt(thread, 0); // zero probe = "not initialised": the next current() re-seeds this thread
        }
    }

    /**
     * NativePRNG XORs /dev/urandom with a SHA1PRNG ("mixRandom") that every copy shares: seed that, and drop
     * any /dev/urandom bytes still buffered from before the snapshot.
     */
    private static void reseedNativePrng(Object randomIo, Entropy entropy) throws ReflectiveOperationException {
        if (randomIo == null) {
            return; // NativePRNG is not available on this platform
        }
        Class<?> io = randomIo.getClass();
        Object mix = accessible(io.getDeclaredField("mixRandom")).get(randomIo);
        if (mix != null) { // created on first use; if unused, it will be seeded from /dev/urandom after restore
            reseedSha1Prng(mix, entropy);
        }
        Object lock = accessible(io.getDeclaredField("LOCK_GET_BYTES")).get(randomIo);
        synchronized (lock) {
            accessible(io.getDeclaredField("buffered")).setInt(randomIo, 0);
        }
    }

    /** A {@code sun.security.provider.SecureRandom} (SHA1PRNG): setSeed mixes into its state. */
    private static void reseedSha1Prng(Object sha1prng, Entropy entropy) throws ReflectiveOperationException {
        Method setSeed = accessible(sha1prng.getClass().getMethod("engineSetSeed", byte[].class));
        setSeed.invoke(sha1prng, (Object) entropy.nextBytes(32));
    }

    private static StaticField[] randomGeneratorDefaults() {
        StaticField[] fields = new StaticField[RANDOM_GENERATOR_ALGORITHMS.length];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = new StaticField(RANDOM_GENERATOR_ALGORITHMS[i], "defaultGen",
                    "jdk.internal.random.", "jdk.random.");
        }
        return fields;
    }

    private static List<Thread> liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() * 2 + 16];
        int count = root.enumerate(threads, true);
        List<Thread> live = new ArrayList<>(Arrays.asList(threads).subList(0, count));
        if (!live.contains(Thread.currentThread())) {
            live.add(Thread.currentThread());
        }
        return live;
    }

    /** setAccessible, failing with the {@code --add-opens} flag that would allow it. */
    private static <T extends AccessibleObject & Member> T accessible(T member) {
        try {
            member.setAccessible(true);
        } catch (InaccessibleObjectException e) {
            Class<?> owner = member.getDeclaringClass();
            InaccessibleObjectException explained = new InaccessibleObjectException("needs --add-opens "
                    + owner.getModule().getName() + "/" + owner.getPackageName() + "=ALL-UNNAMED");
            explained.initCause(e);
            throw explained;
        }
        return member;
    }

    private static byte[] clockDerivedBytes() {
        byte[] bytes = new byte[ENTROPY_BYTES];
        long state = System.nanoTime() ^ System.currentTimeMillis() ^ ProcessHandle.current().pid();
        for (int i = 0; i < bytes.length; i++) {
            state += 0x9E3779B97F4A7C15L; // SplitMix64
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            bytes[i] = (byte) (z ^ (z >>> 31));
        }
        return bytes;
    }

    private static void report(String what, Throwable e) {
        System.err.println("thaw-runtime: " + what + ": " + e);
    }

    @FunctionalInterface
    private interface Reseed {
        void apply(Object value, Entropy entropy) throws Exception;
    }

    /** One independent piece of random state: the static fields that reach it, and how to re-seed it. */
    private static final class Step {
        final String name;
        final Reseed reseed;
        final StaticField[] fields;

        Step(String name, Reseed reseed, StaticField... fields) {
            this.name = name;
            this.reseed = reseed;
            this.fields = fields;
        }

        void prime() throws ReflectiveOperationException {
            for (StaticField field : fields) {
                field.resolve(); // fails here, before any class is initialised, when the package is not open
            }
            for (StaticField field : fields) {
                field.initialise();
            }
        }

        void reseed(Entropy entropy) throws Exception {
            for (StaticField field : fields) {
                reseed.apply(field.resolve().get(null), entropy);
            }
        }
    }

    /** A static field by name; the class may be looked for under several package prefixes (JDKs move them). */
    private static final class StaticField {
        final String[] classNames;
        final String fieldName;

        StaticField(String className, String fieldName) {
            this.classNames = new String[] {className};
            this.fieldName = fieldName;
        }

        StaticField(String simpleName, String fieldName, String... packagePrefixes) {
            this.classNames = new String[packagePrefixes.length];
            for (int i = 0; i < packagePrefixes.length; i++) {
                classNames[i] = packagePrefixes[i] + simpleName;
            }
            this.fieldName = fieldName;
        }

        Field resolve() throws ReflectiveOperationException {
            return accessible(load(false).getDeclaredField(fieldName));
        }

        void initialise() throws ClassNotFoundException {
            load(true);
        }

        private Class<?> load(boolean initialise) throws ClassNotFoundException {
            ClassNotFoundException missing = null;
            for (String name : classNames) {
                try {
                    return Class.forName(name, initialise, ClassLoader.getPlatformClassLoader());
                } catch (ClassNotFoundException e) {
                    missing = e;
                }
            }
            throw missing;
        }
    }
}
