package dev.thaw.objects;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HostCacheTest {
    private final List<String> evicted = new ArrayList<>();
    private final HostCache cache = new HostCache(100, evicted::add);

    @Test
    void theLeastRecentlyUsedEntriesGoFirstWhenTheCacheIsFull() {
        cache.admit("a", 40);
        cache.admit("b", 40);
        cache.use("a").close();
        cache.admit("c", 40);
        assertEquals(List.of("b"), evicted, "b was used least recently");
        cache.admit("d", 70);
        assertEquals(List.of("b", "a", "c"), evicted);
        assertEquals(70, cache.totalBytes());
    }

    @Test
    void anEntryInUseIsNeverEvictedAndGoesOnceReleasedIfStillOverCapacity() {
        cache.admit("a", 60);
        HostCache.Use restoring = cache.use("a");
        cache.admit("b", 60);
        assertEquals(List.of(), evicted, "a is in use and b was just admitted");
        assertEquals(120, cache.totalBytes());
        restoring.close();
        assertEquals(List.of("a"), evicted);
        assertEquals(60, cache.totalBytes());
    }

    @Test
    void anEntryHeldTwiceStaysUntilBothUsesEnd() {
        cache.admit("a", 60);
        HostCache.Use first = cache.use("a");
        HostCache.Use second = cache.use("a");
        first.close();
        cache.admit("b", 60);
        assertEquals(List.of(), evicted, "a is still in use");
        second.close();
        assertEquals(List.of("a"), evicted);
    }

    @Test
    void theEntryJustAdmittedStaysEvenWhenItAloneIsOverCapacity() {
        cache.admit("a", 10);
        cache.admit("big", 150);
        assertEquals(List.of("a"), evicted);
        assertEquals(150, cache.totalBytes());
        cache.admit("c", 10);
        assertEquals(List.of("a", "big"), evicted);
    }

    @Test
    void readmittingAnEntryResizesItAndForgettingItFreesItsSpace() {
        cache.admit("a", 30);
        cache.admit("a", 50);
        assertEquals(50, cache.totalBytes());
        cache.forget("a");
        assertEquals(0, cache.totalBytes());
        cache.admit("b", 100);
        assertEquals(List.of(), evicted, "exactly the capacity fits");
    }
}
