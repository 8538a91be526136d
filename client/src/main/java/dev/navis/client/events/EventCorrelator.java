package dev.navis.client.events;

import dev.navis.client.util.Clock;
import dev.navis.client.util.TokenBucket;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Upstream's EventCorrelator, without the "similar events" aggregation and without series: a spam filter
 * (a token bucket per source and involved object: burst 25, refilled at one per 5 minutes) and a cache of
 * recently written events, so that a repeat of an event within 10 minutes increments its {@code count}
 * (a PATCH) rather than creating another object. Both caches keep the 4096 most recently used keys.
 * Used by the broadcaster's single sender thread only.
 */
final class EventCorrelator {

    static final int CACHE_SIZE = 4096;
    static final int SPAM_BURST = 25;
    static final double SPAM_QPS = 1.0 / 300;
    static final Duration REPEAT_WINDOW = Duration.ofMinutes(10);

    /** The event to write; {@code isUpdate} when it repeats {@code event.metadata.name}, already written. */
    record Result(Event event, String key, boolean isUpdate) {
    }

    private record Seen(String name, int count, String firstTimestamp, long lastNanos) {
    }

    private final Clock clock;
    private final Map<String, TokenBucket> spam = lru();
    private final Map<String, Seen> seen = lru();
    private long filtered;

    EventCorrelator(Clock clock) {
        this.clock = clock;
    }

    /** The write to make for {@code event}, or null when the spam filter drops it. */
    Result correlate(Event event) {
        TokenBucket bucket = spam.computeIfAbsent(spamKey(event), k -> new TokenBucket(SPAM_QPS, SPAM_BURST, clock));
        if (!bucket.tryTake()) {
            filtered++;
            return null;
        }
        String key = repeatKey(event);
        Seen prev = seen.get(key);
        if (prev != null && clock.nanoTime() - prev.lastNanos() <= REPEAT_WINDOW.toNanos()) {
            event.getMetadata().setName(prev.name());
            event.setCount(prev.count() + 1);
            event.setFirstTimestamp(prev.firstTimestamp());
            return new Result(event, key, true);
        }
        return new Result(event, key, false);
    }

    /** Remembers a written event so that its repeats patch it. */
    void written(Result r, Event written) {
        Event e = written == null ? r.event() : written;
        int count = e.getCount() == null ? 1 : e.getCount();
        seen.put(r.key(), new Seen(e.getMetadata().getName(), count, e.getFirstTimestamp(), clock.nanoTime()));
    }

    long filtered() {
        return filtered;
    }

    private static String spamKey(Event e) {
        ObjectReference o = e.getInvolvedObject();
        return String.join("\u0000", e.getSource().getComponent(), String.valueOf(e.getSource().getHost()),
                o.getKind(), String.valueOf(o.getNamespace()), o.getName(), String.valueOf(o.getUid()),
                o.getApiVersion(), e.getType());
    }

    private static String repeatKey(Event e) {
        return String.join("\u0000", spamKey(e), String.valueOf(e.getInvolvedObject().getFieldPath()),
                e.getReason(), e.getMessage());
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > CACHE_SIZE;
            }
        };
    }
}
