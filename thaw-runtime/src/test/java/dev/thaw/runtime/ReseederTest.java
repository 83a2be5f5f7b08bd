package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Each test puts a generator into a known state (the snapshot's), records what it produces next (what every
 * restored copy would produce without re-seeding), proves that putting the same state back repeats that
 * value, then restores the state twice more with a re-seed each time, like two restored copies.
 */
class ReseederTest {

    private final Reseeder reseeder = new Reseeder();

    @Test
    void everyStepSucceedsOnThisJdkWithThePlatformsOpens() {
        reseeder.prime();
        assertEquals(List.of(), reseeder.reseed(), "failed steps on Java " + Runtime.version());
    }

    @Test
    void mathRandomNoLongerRepeatsTheSnapshotsSequence() throws Exception {
        Random holder = (Random) staticField("java.lang.Math$RandomNumberGeneratorHolder", "randomNumberGenerator");
        assertChangedByReseed(() -> holder.setSeed(42), Math::random);
    }

    @Test
    void strictMathRandomNoLongerRepeatsTheSnapshotsSequence() throws Exception {
        Random holder = (Random) staticField("java.lang.StrictMath$RandomNumberGeneratorHolder", "randomNumberGenerator");
        assertChangedByReseed(() -> holder.setSeed(42), StrictMath::random);
    }

    @Test
    void newRandomDrawsFromAFreshSeedUniquifier() throws Exception {
        AtomicLong uniquifier = (AtomicLong) staticField("java.util.Random", "seedUniquifier");
        // new Random() uses (uniquifier * constant) ^ nanoTime: the uniquifier is the part copies share.
        assertChangedByReseed(() -> uniquifier.set(8682522807148012L), uniquifier::get);
    }

    @Test
    void threadLocalRandomOfAThreadSeededBeforeTheSnapshotIsReinitialised() throws Exception {
        Thread self = Thread.currentThread();
        ThreadLocalRandom.current().nextInt();
        long seed = threadField("threadLocalRandomSeed").getLong(self);

        assertChangedByReseed(() -> setThreadSeed(self, seed), () -> ThreadLocalRandom.current().nextLong());
    }

    @Test
    void threadLocalRandomOfAThreadSeededAfterTheRestoreDrawsFromAFreshSeeder() throws Exception {
        AtomicLong seeder = (AtomicLong) staticField("java.util.concurrent.ThreadLocalRandom", "seeder");
        Thread self = Thread.currentThread();

        assertChangedByReseed(() -> {
            seeder.set(1234567L);
            setThreadFieldsToZero(self);
        }, () -> ThreadLocalRandom.current().nextLong());
    }

    @Test
    void everyLiveThreadsThreadLocalRandomIsReset() throws Exception {
        CountDownLatch seeded = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            ThreadLocalRandom.current().nextInt();
            seeded.countDown();
            awaitQuietly(done);
        });
        other.start();
        seeded.await();
        assertNotEquals(0, threadField("threadLocalRandomProbe").getInt(other));

        reseeder.reseed();

        assertEquals(0, threadField("threadLocalRandomProbe").getInt(other));
        assertEquals(0L, threadField("threadLocalRandomSeed").getLong(other));
        done.countDown();
        other.join();
    }

    @Test
    void newSplittableRandomDrawsFromAFreshDefaultGenerator() throws Exception {
        AtomicLong defaultGen = (AtomicLong) staticField("java.util.SplittableRandom", "defaultGen");
        assertChangedByReseed(() -> defaultGen.set(99L), () -> new SplittableRandom().nextLong());
    }

    @Test
    void collectionsShuffleNoLongerRepeatsTheSnapshotsOrder() throws Exception {
        Collections.shuffle(new ArrayList<>(List.of(1, 2)));
        Random shuffler = (Random) staticField("java.util.Collections", "r");
        assertNotNull(shuffler);

        assertChangedByReseed(() -> shuffler.setSeed(7), () -> {
            List<Integer> list = new ArrayList<>(IntStream.range(0, 50).boxed().toList());
            Collections.shuffle(list);
            return list;
        });
    }

    @Test
    void theDefaultRandomGeneratorAlgorithmDrawsFromAFreshDefaultGenerator() throws Exception {
        AtomicLong defaultGen = (AtomicLong) staticFieldOfFirst("defaultGen",
                "jdk.internal.random.L32X64MixRandom", "jdk.random.L32X64MixRandom");
        assertChangedByReseed(() -> defaultGen.set(5L), () -> RandomGenerator.of("L32X64MixRandom").nextLong());
    }

    @Test
    void theMixingStateBehindUuidAndNativePrngIsReseededAndBufferedBytesAreDropped() throws Exception {
        UUID.randomUUID(); // creates NativePRNG's mixing SHA1PRNG
        Object io = staticField("sun.security.provider.NativePRNG", "INSTANCE");
        Object mix = field(io, "mixRandom");
        byte[] state = ((byte[]) field(mix, "state")).clone();
        byte[] remainder = ((byte[]) field(mix, "remainder")).clone();
        int remCount = (int) field(mix, "remCount");
        Method nextBytes = mix.getClass().getMethod("engineNextBytes", byte[].class);
        nextBytes.setAccessible(true);

        assertChangedByReseed(() -> {
            setField(mix, "state", state.clone());
            setField(mix, "remainder", remainder.clone());
            setField(mix, "remCount", remCount);
        }, () -> {
            byte[] out = new byte[32];
            nextBytes.invoke(mix, (Object) out);
            return List.of(out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7], out[8], out[9]);
        });
        assertEquals(0, (int) field(io, "buffered"));
    }

    @Test
    void theSeederOfUnseededSha1PrngsIsReseeded() throws Exception {
        Object seeder = staticField("sun.security.provider.SecureRandom$SeederHolder", "seeder");
        byte[] state = ((byte[]) field(seeder, "state")).clone();
        Method nextBytes = seeder.getClass().getMethod("engineNextBytes", byte[].class);
        nextBytes.setAccessible(true);

        assertChangedByReseed(() -> {
            setField(seeder, "state", state.clone());
            setField(seeder, "remCount", 0);
        }, () -> {
            byte[] out = new byte[8];
            nextBytes.invoke(seeder, (Object) out);
            return java.nio.ByteBuffer.wrap(out).getLong();
        });
    }

    @Test
    void theNewStateComesFromTheEntropyGiven() {
        byte[] bytes = new byte[512];
        new Random(1).nextBytes(bytes);
        reseeder.reseed(Entropy.of(bytes));
        double first = Math.random();
        reseeder.reseed(Entropy.of(bytes));
        assertEquals(first, Math.random());
    }

    /**
     * Restores a state, records the next value, proves it repeats; then plays two restored copies of that
     * state: each must differ from the snapshot's value and from the other copy's.
     */
    private <T> void assertChangedByReseed(ThrowingRunnable restoreSnapshotState, ThrowingSupplier<T> next)
            throws Exception {
        restoreSnapshotState.run();
        T inSnapshot = next.get();
        restoreSnapshotState.run();
        assertEquals(inSnapshot, next.get(), "the same state must give the same value, or the test proves nothing");

        restoreSnapshotState.run();
        assertEquals(List.of(), reseeder.reseed());
        T firstCopy = next.get();
        restoreSnapshotState.run();
        reseeder.reseed();
        T secondCopy = next.get();

        assertNotEquals(inSnapshot, firstCopy, "re-seeding must change what this state produces next");
        assertNotEquals(firstCopy, secondCopy, "two restored copies must not produce the same value");
    }

    private static void setThreadSeed(Thread thread, long seed) throws Exception {
        threadField("threadLocalRandomSeed").setLong(thread, seed);
    }

    private static void setThreadFieldsToZero(Thread thread) throws Exception {
        threadField("threadLocalRandomSeed").setLong(thread, 0);
        threadField("threadLocalRandomProbe").setInt(thread, 0);
        threadField("threadLocalRandomSecondarySeed").setInt(thread, 0);
    }

    private static Field threadField(String name) throws Exception {
        Field f = Thread.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    private static Object staticField(String className, String fieldName) throws Exception {
        Field f = Class.forName(className).getDeclaredField(fieldName);
        f.setAccessible(true);
        return f.get(null);
    }

    private static Object staticFieldOfFirst(String fieldName, String... classNames) throws Exception {
        for (String name : classNames) {
            try {
                return staticField(name, fieldName);
            } catch (ClassNotFoundException e) {
                // the other JDK's location
            }
        }
        throw new ClassNotFoundException(String.join(", ", classNames));
    }

    private static Object field(Object target, String name) throws Exception {
        Field f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }

    private static void setField(Object target, String name, Object value) throws Exception {
        Field f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        f.set(target, value);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @FunctionalInterface
    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }
}
