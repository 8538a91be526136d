package dev.navis.controllers.util;

import dev.navis.client.util.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream's UIDTrackingControllerExpectations: per controller key, how many pod creations it still waits
 * to see in the informer, and which pods (by key) it deleted and waits to see go. A controller syncs again
 * only when its expectations are satisfied (all observed) or older than {@link #TTL}, so it never creates
 * or deletes twice on a cache that has not caught up with its own writes.
 */
public final class ControllerExpectations {

    /** Upstream's ExpectationsTimeout: a lost watch event must not stall the controller forever. */
    public static final Duration TTL = Duration.ofMinutes(5);

    private final Clock clock;
    private final Map<String, Expectation> byKey = new ConcurrentHashMap<>();

    public ControllerExpectations(Clock clock) {
        this.clock = clock;
    }

    private static final class Expectation {
        int adds;
        final Set<String> deletions = new HashSet<>();
        final long timestampNanos;

        Expectation(int adds, Set<String> deletions, long timestampNanos) {
            this.adds = adds;
            this.deletions.addAll(deletions);
            this.timestampNanos = timestampNanos;
        }
    }

    /** True when nothing is expected for {@code key}, all was observed, or the expectation expired. */
    public boolean satisfied(String key) {
        Expectation e = byKey.get(key);
        if (e == null) {
            return true;
        }
        synchronized (e) {
            if (e.adds <= 0 && e.deletions.isEmpty()) {
                return true;
            }
            return clock.nanoTime() - e.timestampNanos > TTL.toNanos();
        }
    }

    public void expectCreations(String key, int count) {
        byKey.put(key, new Expectation(count, Set.of(), clock.nanoTime()));
    }

    /** Upstream's SetExpectations: {@code adds} creations and the deletions of {@code podKeys}, in one step. */
    public void expect(String key, int adds, Set<String> podKeys) {
        byKey.put(key, new Expectation(adds, podKeys, clock.nanoTime()));
    }

    public void expectDeletions(String key, Set<String> podKeys) {
        byKey.put(key, new Expectation(0, podKeys, clock.nanoTime()));
    }

    /** A pod of {@code key} appeared in the cache (or a create failed or was skipped). */
    public void creationObserved(String key) {
        Expectation e = byKey.get(key);
        if (e != null) {
            synchronized (e) {
                e.adds--;
            }
        }
    }

    /** {@code podKey} got a deletionTimestamp or vanished; counted once however often it is reported. */
    public void deletionObserved(String key, String podKey) {
        Expectation e = byKey.get(key);
        if (e != null) {
            synchronized (e) {
                e.deletions.remove(podKey);
            }
        }
    }

    /** The controller object is gone. */
    public void delete(String key) {
        byKey.remove(key);
    }
}
