package dev.navis.client.events;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.ResourceRef;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events to the API server for any number of {@link EventRecorder}s, as client-go's
 * record.EventBroadcaster with StartRecordingToSink.
 *
 * <p>Recording never blocks the caller: an event goes into a bounded queue (1000 events; further ones are
 * dropped, as upstream's DropIfChannelFull) drained by one sender thread. The sender first applies the
 * {@link EventCorrelator}: a per-object token bucket (burst 25, one more every 5 minutes) drops spam, and an
 * event equal to one sent in the last 10 minutes (same source, object, type, reason and message) becomes a
 * PATCH of that Event's {@code count}, {@code lastTimestamp} and {@code message} instead of a new object.
 * Transport failures are retried (12 tries, 10 s apart, as upstream); refusals by the server are not.
 *
 * <pre>{@code
 * EventBroadcaster broadcaster = new EventBroadcaster(client);
 * broadcaster.start();
 * EventRecorder recorder = broadcaster.recorder("deployment-controller");
 * recorder.event(deployment, EventRecorder.NORMAL, "ScalingReplicaSet", "Scaled up replica set web-abc from 0 to 3");
 * broadcaster.close();
 * }</pre>
 */
public final class EventBroadcaster implements EventRecorderFactory, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventBroadcaster.class);
    /** Upstream's maxQueuedEvents. */
    static final int QUEUE_LENGTH = 1000;
    /** Upstream's maxTriesPerEvent and defaultSleepDuration. */
    static final int MAX_TRIES = 12;
    static final Duration RETRY_SLEEP = Duration.ofSeconds(10);
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

    private final KubeClient client;
    private final Clock clock;
    private final EventCorrelator correlator;
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE_LENGTH);
    private final AtomicLong dropped = new AtomicLong();
    private final EventNames names = new EventNames();
    private volatile boolean closed;
    private volatile Thread sender;

    public EventBroadcaster(KubeClient client) {
        this(client, Clock.SYSTEM);
    }

    public EventBroadcaster(KubeClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
        this.correlator = new EventCorrelator(clock);
    }

    /** A recorder whose events name {@code component} as source.component and reportingComponent. */
    @Override
    public EventRecorder recorder(String component) {
        return recorder(component, null);
    }

    /** As {@link #recorder(String)}, with source.host / reportingInstance (a kubelet's node name). */
    public EventRecorder recorder(String component, String host) {
        return (object, type, reason, message) -> enqueue(makeEvent(component, host, object, type, reason, message));
    }

    /** Starts the sender thread; until then events wait in the queue (see {@link #drain()}). */
    public synchronized void start() {
        if (sender != null || closed) {
            return;
        }
        sender = Thread.ofPlatform().daemon().name("event-broadcaster").start(this::sendLoop);
    }

    /** Sends every queued event on the calling thread; returns how many were taken. For tests and tools. */
    public int drain() {
        int n = 0;
        Event e;
        while ((e = queue.poll()) != null) {
            send(e);
            n++;
        }
        return n;
    }

    /** Events dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Events dropped by the spam filter. */
    public long filtered() {
        return correlator.filtered();
    }

    /** Stops the sender; events still queued are dropped, as upstream's Shutdown. */
    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = sender;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void enqueue(Event event) {
        if (closed || !queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    private void sendLoop() {
        while (!closed) {
            Event e;
            try {
                e = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                return;
            }
            if (e != null) {
                send(e);
            }
        }
    }

    /** Correlates and writes one event, retrying transport failures. */
    void send(Event event) {
        EventCorrelator.Result r = correlator.correlate(event);
        if (r == null) {
            return; // spam
        }
        for (int attempt = 1; attempt <= MAX_TRIES && !closed; attempt++) {
            try {
                Event written = write(r);
                correlator.written(r, written);
                return;
            } catch (ApiException e) {
                // the server refused it (invalid, namespace terminating, ...): retrying does not help
                LOG.debug("event {} {} refused: {}", event.getReason(), event.getInvolvedObject().getName(), e.getMessage());
                return;
            } catch (RuntimeException e) {
                // without a sender thread (drain() from a test or tool) there is nobody to wait for a retry
                if (attempt == MAX_TRIES || sender == null) {
                    LOG.warn("dropping event {} about {}: {}", event.getReason(), event.getInvolvedObject().getName(),
                            e.toString());
                    return;
                }
                try {
                    clock.sleep(RETRY_SLEEP.toNanos());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private Event write(EventCorrelator.Result r) {
        Event e = r.event();
        var events = client.events().namespace(e.getMetadata().getNamespace());
        if (r.isUpdate()) {
            String patch = "{\"count\":" + e.getCount() + ",\"lastTimestamp\":\"" + e.getLastTimestamp()
                    + "\",\"message\":" + dev.navis.client.Json.writeString(e.getMessage()) + "}";
            try {
                return events.patch(e.getMetadata().getName(), PatchType.STRATEGIC_MERGE, patch);
            } catch (ApiException ex) {
                if (!ex.isNotFound()) {
                    throw ex;
                }
                // deleted (events expire after an hour): write it anew under the same name
            }
        }
        try {
            return events.create(e);
        } catch (ApiException ex) {
            if (ex.isAlreadyExists()) {
                return e;
            }
            throw ex;
        }
    }

    /** Upstream's makeEvent: named {@code <object>.<hex nanos>}, in the object's namespace (or default). */
    Event makeEvent(String component, String host, HasMetadata object, String type, String reason, String message) {
        Instant now = clock.now();
        String ts = RFC3339.format(now.truncatedTo(ChronoUnit.SECONDS));
        ObjectReference ref = reference(object);
        String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? "default" : ref.getNamespace();
        Event e = new Event();
        e.setApiVersion("v1");
        e.setKind("Event");
        ObjectMeta meta = new ObjectMeta();
        meta.setName(names.next(ref.getName(), now));
        meta.setNamespace(ns);
        e.setMetadata(meta);
        e.setInvolvedObject(ref);
        e.setReason(reason);
        e.setMessage(message);
        e.setType(type);
        e.setCount(1);
        e.setFirstTimestamp(ts);
        e.setLastTimestamp(ts);
        EventSource source = new EventSource();
        source.setComponent(component);
        source.setHost(host);
        e.setSource(source);
        e.setReportingComponent(component);
        e.setReportingInstance(host == null ? "" : host);
        return e;
    }

    /** An ObjectReference to {@code object}; kind and apiVersion from its class when the object lacks them. */
    public static ObjectReference reference(HasMetadata object) {
        ObjectReference ref = new ObjectReference();
        String kind = object.getKind();
        String apiVersion = object.getApiVersion();
        if (kind == null || kind.isEmpty() || apiVersion == null || apiVersion.isEmpty()) {
            try {
                ResourceRef<? extends HasMetadata> r = ResourceRef.of(object.getClass());
                kind = r.kind();
                apiVersion = r.apiVersion();
            } catch (IllegalArgumentException e) {
                // an unregistered class: keep what the object says
            }
        }
        ref.setKind(kind);
        ref.setApiVersion(apiVersion);
        ObjectMeta m = object.getMetadata();
        ref.setName(m.getName());
        ref.setNamespace(m.getNamespace());
        ref.setUid(m.getUid());
        ref.setResourceVersion(m.getResourceVersion());
        return ref;
    }
}
