package dev.navis.client.record;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * client-go's record.EventBroadcaster, kept simple: recorders put core/v1 Events on a bounded queue and one
 * writer thread sends them to the API server. As upstream's EventCorrelator, an event equal to one written
 * in the last 10 minutes (same object, type, reason, message and component) is not created again: the
 * stored one gets its {@code count} raised and {@code lastTimestamp} moved (merge patch). A full queue drops
 * events rather than block the controller (upstream's buffer is 1000 as well).
 *
 * <pre>{@code
 * try (EventBroadcaster events = new EventBroadcaster(client, Clock.SYSTEM)) {
 *     EventRecorder recorder = events.recorder("job-controller");
 *     recorder.event(job, EventRecorder.NORMAL, "Completed", "Job completed");
 * }
 * }</pre>
 */
public final class EventBroadcaster implements EventRecorder.Provider, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventBroadcaster.class);
    static final Duration AGGREGATION_WINDOW = Duration.ofMinutes(10);
    private static final int QUEUE_SIZE = 1000;
    private static final int REMEMBERED = 4096;

    private record Pending(Event event, String key) {
    }

    private record Written(String namespace, String name, int count, Instant at) {
    }

    private final KubeClient client;
    private final Clock clock;
    private final String host;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_SIZE);
    private final Map<String, Written> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final Thread writer;
    private final java.util.concurrent.atomic.AtomicLong lastNameNanos = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    public EventBroadcaster(KubeClient client, Clock clock) {
        this(client, clock, true);
    }

    /** Without a writer thread ({@code startWriter} false) events wait until {@link #writeQueued()}: for tests. */
    EventBroadcaster(KubeClient client, Clock clock, boolean startWriter) {
        this.client = client;
        this.clock = clock;
        this.host = hostName();
        this.writer = startWriter ? Thread.ofPlatform().daemon().name("event-broadcaster").start(this::writeLoop) : null;
    }

    /** Writes what is queued now, on the calling thread. */
    void writeQueued() {
        Pending p;
        while ((p = queue.poll()) != null) {
            write(p);
        }
    }

    @Override
    public EventRecorder recorder(String component) {
        return (regarding, type, reason, message) -> {
            if (closed) {
                return;
            }
            Event e = build(regarding, type, reason, message, component);
            String key = String.join("\u0000", e.getInvolvedObject().getUid() == null ? "" : e.getInvolvedObject().getUid(),
                    e.getInvolvedObject().getKind(), e.getInvolvedObject().getName(), type, reason, message, component);
            if (!queue.offer(new Pending(e, key))) {
                LOG.warn("event queue full, dropping event {} {} on {}", reason, message, e.getInvolvedObject().getName());
            }
        };
    }

    /** Stops the writer after it sent what is queued (bounded wait). */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        if (writer != null) {
            writer.interrupt();
            writer.join(Duration.ofSeconds(5));
        }
    }

    private Event build(HasMetadata regarding, String type, String reason, String message, String component) {
        Instant now = clock.now().truncatedTo(ChronoUnit.SECONDS);
        String ns = regarding.getMetadata().getNamespace();
        ObjectReference ref = new ObjectReferenceBuilder()
                .withApiVersion(regarding.getApiVersion())
                .withKind(regarding.getKind())
                .withNamespace(ns)
                .withName(regarding.getMetadata().getName())
                .withUid(regarding.getMetadata().getUid())
                .withResourceVersion(regarding.getMetadata().getResourceVersion())
                .build();
        // upstream names events <object>.<unix nanos in hex>; strictly increasing so no two collide
        Instant exact = clock.now();
        long wanted = exact.getEpochSecond() * 1_000_000_000L + exact.getNano();
        long unique = lastNameNanos.updateAndGet(prev -> Math.max(prev + 1, wanted));
        String name = regarding.getMetadata().getName() + "." + Long.toHexString(unique);
        return new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(ns == null || ns.isEmpty() ? "default" : ns).endMetadata()
                .withInvolvedObject(ref)
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withNewSource().withComponent(component).endSource()
                .withReportingComponent(component)
                .withReportingInstance(host)
                .withFirstTimestamp(now.toString())
                .withLastTimestamp(now.toString())
                .withCount(1)
                .build();
    }

    private void writeLoop() {
        while (true) {
            Pending p;
            try {
                p = closed ? queue.poll() : queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                if (!closed) {
                    continue;
                }
                p = queue.poll();
            }
            if (p == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            try {
                write(p);
            } catch (RuntimeException e) {
                LOG.debug("writing event {} failed: {}", p.event().getReason(), e.toString());
            }
        }
    }

    private synchronized void write(Pending p) {
        Event e = p.event();
        Instant now = Instant.parse(e.getLastTimestamp());
        Written prior = recent.get(p.key());
        if (prior != null && Duration.between(prior.at(), now).compareTo(AGGREGATION_WINDOW) < 0) {
            int count = prior.count() + 1;
            try {
                client.events().namespace(prior.namespace()).patch(prior.name(), PatchType.MERGE,
                        "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}");
                recent.put(p.key(), new Written(prior.namespace(), prior.name(), count, prior.at()));
                return;
            } catch (ApiException ex) {
                if (!ex.isNotFound()) {
                    throw ex;
                }
                // the stored event expired (events have a TTL): write a new one
            }
        }
        client.events().namespace(e.getMetadata().getNamespace()).create(e);
        recent.put(p.key(), new Written(e.getMetadata().getNamespace(), e.getMetadata().getName(), 1, now));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
