package dev.navis.client.rest;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The objects of recent watch events, decoded once per process. When several components of one JVM watch the
 * same resource (in {@code navis server}: the controller manager, the scheduler and the simulated nodes each
 * watch pods), the API server sends each watch the same bytes for an event's object, and each watch used to
 * decode them into a model tree of its own: three decodes and three cached copies of every pod. Here the
 * first watch to see an object's bytes decodes them and the others get the same instance. Watches hand their
 * objects to informer caches, whose objects are never mutated (the listers' contract), so one instance can
 * sit in several caches.
 *
 * <p>Only types with more than one open watch in the process are remembered: a lone watch (a standalone
 * kubelet's pods) decodes as before and keeps no bytes; so does every watch for objects over
 * {@link #MAX_SHARED_BYTES}. The memory is a fixed table of slots, each holding the last object bytes that
 * hashed to it; a newer event takes the slot, so a watch far behind the others decodes on its own, which
 * costs only the decode this saves.
 */
final class SharedWatchObjects {

    static final SharedWatchObjects PROCESS = new SharedWatchObjects(4096);
    /**
     * Larger objects are decoded by each watch: the table then holds at most 64 MiB of bytes (pods are 2 to
     * 8 KiB; a ConfigMap or Secret can be 1 MiB, and 4,096 of those would be 4 GiB).
     */
    static final int MAX_SHARED_BYTES = 16 * 1024;

    private record Entry(Class<?> type, int hash, byte[] bytes, Object object) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final Map<Class<?>, AtomicInteger> openWatches = new ConcurrentHashMap<>();

    SharedWatchObjects(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        this.slots = new AtomicReferenceArray<>(slots);
    }

    /** A watch of {@code type} opened; pair with {@link #closed}. */
    void opened(Class<?> type) {
        openWatches.computeIfAbsent(type, t -> new AtomicInteger()).incrementAndGet();
    }

    void closed(Class<?> type) {
        AtomicInteger n = openWatches.get(type);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    /**
     * The object encoded in {@code buf[offset, offset+length)}: the instance decoded for identical bytes of the
     * same type by another watch, or {@code decode}'s result (remembered for the others).
     */
    <T> T decode(Class<T> type, byte[] buf, int offset, int length, Supplier<T> decode) {
        AtomicInteger watches = openWatches.get(type);
        if (watches == null || watches.get() < 2 || length > MAX_SHARED_BYTES) {
            return decode.get();
        }
        int hash = hash(buf, offset, length);
        int slot = hash & (slots.length() - 1);
        Entry e = slots.get(slot);
        if (e != null && e.hash == hash && e.type == type
                && Arrays.equals(e.bytes, 0, e.bytes.length, buf, offset, offset + length)) {
            return type.cast(e.object);
        }
        T object = decode.get();
        if (object != null) {
            slots.set(slot, new Entry(type, hash, Arrays.copyOfRange(buf, offset, offset + length), object));
        }
        return object;
    }

    private static int hash(byte[] buf, int offset, int length) {
        int h = length;
        for (int i = offset, end = offset + length; i < end; i++) {
            h = 31 * h + buf[i];
        }
        return h ^ (h >>> 16);
    }
}
