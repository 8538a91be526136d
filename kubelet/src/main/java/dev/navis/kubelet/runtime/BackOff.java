package dev.navis.kubelet.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Per-key exponential back-off with upstream's semantics (client-go flowcontrol.Backoff as the kubelet
 * uses it for CrashLoopBackOff and image pulls): the first failure costs nothing, each further failure
 * within the window doubles the delay from {@code initial} up to {@code max}, and an entry whose last
 * update is more than {@code 2 * max} old (10 minutes for the 5-minute cap) starts over.
 *
 * <p>Worked example with 10 s / 5 min: a container exits at t=0 → {@link #next} sets 10 s and it
 * restarts at once; it exits again at t=1 → in back-off until t=11; restarted, exits at t=12 → next
 * delay 20 s (until t=32), then 40 s, 80 s, 160 s, 300 s, 300 s … After running for more than 10
 * minutes the next exit finds the entry expired and starts again at 10 s.
 */
public final class BackOff {

    private record Entry(Duration delay, Instant lastUpdate) {
    }

    private final Duration initial;
    private final Duration max;
    private final Supplier<Instant> clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public BackOff(Duration initial, Duration max, Supplier<Instant> clock) {
        this.initial = initial;
        this.max = max;
        this.clock = clock;
    }

    /** The kubelet's container restart back-off: 10 s doubling to 5 min. */
    public static BackOff crashLoop(Supplier<Instant> clock) {
        return new BackOff(Duration.ofSeconds(10), Duration.ofMinutes(5), clock);
    }

    /** The current delay of the key (zero when it has none). */
    public Duration get(String key) {
        Entry e = entries.get(key);
        return e == null ? Duration.ZERO : e.delay();
    }

    /** True while {@code eventTime} (e.g. the container's finish time) plus the key's delay is in the future. */
    public boolean isInBackOffSince(String key, Instant eventTime) {
        Entry e = entries.get(key);
        if (e == null) {
            return false;
        }
        Instant now = clock.get();
        if (expired(now, e.lastUpdate())) {
            return false;
        }
        return Duration.between(eventTime, now).compareTo(e.delay()) < 0;
    }

    /** Records a failure at {@code eventTime}: first (or expired) → initial delay, else doubled up to max. */
    public void next(String key, Instant eventTime) {
        entries.compute(key, (k, e) -> {
            if (e == null || expired(eventTime, e.lastUpdate())) {
                return new Entry(initial, eventTime);
            }
            Duration doubled = e.delay().multipliedBy(2);
            return new Entry(doubled.compareTo(max) > 0 ? max : doubled, eventTime);
        });
    }

    public void reset(String key) {
        entries.remove(key);
    }

    /** Forgets every key starting with the prefix (a removed pod). */
    public void resetPrefix(String prefix) {
        entries.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private boolean expired(Instant now, Instant lastUpdate) {
        return Duration.between(lastUpdate, now).compareTo(max.multipliedBy(2)) > 0;
    }
}
