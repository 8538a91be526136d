package dev.navis.controllers.daemonset;

import dev.navis.client.util.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream's failedPodsBackoff (client-go flowcontrol.Backoff, 1 s doubling to 15 min) per DaemonSet and
 * node: a kubelet that keeps rejecting a daemon pod would otherwise make the controller delete and recreate
 * it in a hot loop. An entry idle for twice the maximum starts over at the initial delay.
 */
final class FailedPodBackoff {

    static final Duration INITIAL = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofMinutes(15);

    private record Entry(Duration delay, long lastUpdateNanos) {
    }

    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    FailedPodBackoff(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code key} still has to wait since its last {@link #next}; zero or negative when it may act. */
    Duration remaining(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return Duration.ZERO;
        }
        return e.delay().minusNanos(clock.nanoTime() - e.lastUpdateNanos());
    }

    /** Records an action now: the next one waits the initial delay, or twice the last one (up to the max). */
    void next(String key) {
        long now = clock.nanoTime();
        entries.compute(key, (k, e) -> {
            if (e == null || now - e.lastUpdateNanos() > 2 * MAX.toNanos()) {
                return new Entry(INITIAL, now);
            }
            Duration doubled = e.delay().multipliedBy(2);
            return new Entry(doubled.compareTo(MAX) > 0 ? MAX : doubled, now);
        });
    }

    /** Drops entries idle for twice the maximum (upstream's periodic GC of the backoff). */
    void forgetExpired() {
        long now = clock.nanoTime();
        entries.values().removeIf(e -> now - e.lastUpdateNanos() > 2 * MAX.toNanos());
    }
}
