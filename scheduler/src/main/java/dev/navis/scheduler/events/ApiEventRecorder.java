package dev.navis.scheduler.events;

import dev.navis.client.KubeClient;
import dev.navis.client.events.EventNames;
import dev.navis.scheduler.framework.EventRecorder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events for the scheduler (source.component "default-scheduler") as client-go's event
 * broadcaster does: a queue of 1000 events (upstream's maxQueuedEvents) drained by one sender that writes
 * one event at a time, and events dropped (counted) while the queue is full (DropIfChannelFull). So the
 * scheduling loop never waits for the API, and under a burst the scheduler sends events at the pace of
 * one request in flight instead of adding one API write per pod to the server's load. A dropped event
 * costs a queue check: it is not built.
 */
public final class ApiEventRecorder implements EventRecorder, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiEventRecorder.class);
    /** Upstream's maxQueuedEvents. */
    static final int QUEUE_SIZE = 1000;
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

    private final EventNames names = new EventNames();
    private final KubeClient client;
    private final String component;
    private final String instance;
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE_SIZE);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    private volatile boolean closed;

    public ApiEventRecorder(KubeClient client, String component, String instance) {
        this.client = client;
        this.component = component;
        this.instance = instance;
        this.sender = Thread.ofVirtual().name("scheduler-events").start(this::run);
    }

    @Override
    public void event(Pod regarding, String type, String reason, String action, String message) {
        if (closed) {
            return;
        }
        if (queue.remainingCapacity() == 0) {
            drop();
            return;
        }
        Instant now = Instant.now();
        String ts = RFC3339.format(now.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
        // the model's setters, not its builders: a builder copies every nested object once more
        ObjectMeta meta = new ObjectMeta();
        meta.setNamespace(regarding.getMetadata().getNamespace());
        meta.setName(names.next(regarding.getMetadata().getName(), now));
        ObjectReference involved = new ObjectReference();
        involved.setApiVersion("v1");
        involved.setKind("Pod");
        involved.setNamespace(regarding.getMetadata().getNamespace());
        involved.setName(regarding.getMetadata().getName());
        involved.setUid(regarding.getMetadata().getUid());
        involved.setResourceVersion(regarding.getMetadata().getResourceVersion());
        EventSource source = new EventSource();
        source.setComponent(component);
        Event e = new Event();
        e.setMetadata(meta);
        e.setInvolvedObject(involved);
        e.setType(type);
        e.setReason(reason);
        e.setMessage(message);
        e.setAction(action);
        e.setSource(source);
        e.setReportingComponent(component);
        e.setReportingInstance(instance);
        e.setFirstTimestamp(ts);
        e.setLastTimestamp(ts);
        e.setCount(1);
        if (!queue.offer(e)) {
            drop();
        }
    }

    private void drop() {
        long n = dropped.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            LOG.info("event queue full: {} scheduler events dropped so far", n);
        }
    }

    public long dropped() {
        return dropped.get();
    }

    private void run() {
        while (!closed || !queue.isEmpty()) {
            Event e;
            try {
                e = queue.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                return;
            }
            if (e == null) {
                continue;
            }
            try {
                client.events().namespace(e.getMetadata().getNamespace()).createReadingMetadata(e);
            } catch (RuntimeException ex) {
                LOG.debug("could not write event {}: {}", e.getReason(), ex.getMessage());
            }
        }
    }

    /** Stops after writing what is queued (up to a few seconds). */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        sender.join(5_000);
    }
}
