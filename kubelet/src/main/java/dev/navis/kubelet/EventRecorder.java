package dev.navis.kubelet;

import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.events.EventNames;
import dev.navis.client.util.Clock;
import dev.navis.kubelet.util.Times;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Records core/v1 Events from the kubelet (source component "kubelet", host = the node), off the caller's
 * thread and best effort, as client-go's recorder: a repeat of the same reason and message for the same
 * object bumps the count and lastTimestamp of the existing Event instead of creating another.
 */
public final class EventRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    private static final int REMEMBERED = 4096;

    private final KubeClient client;
    private final String host;
    private final Clock clock;
    private final EventNames names = new EventNames();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("kubelet-events").factory());
    private final Map<String, Object[]> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object[]> eldest) {
            return size() > REMEMBERED;
        }
    };

    public EventRecorder(KubeClient client, String host, Clock clock) {
        this.client = client;
        this.host = host;
        this.clock = clock;
    }

    /** @param type Normal or Warning */
    public void record(HasMetadata object, String type, String reason, String message) {
        String now = Times.time(clock.now());
        sender.execute(() -> send(object, type, reason, message, now));
    }

    private void send(HasMetadata object, String type, String reason, String message, String now) {
        String ns = object.getMetadata().getNamespace() == null ? "default" : object.getMetadata().getNamespace();
        String key = object.getMetadata().getUid() + "/" + type + "/" + reason + "/" + message;
        try {
            Object[] previous;
            synchronized (seen) {
                previous = seen.get(key);
            }
            if (previous != null) {
                int count = (Integer) previous[1] + 1;
                client.events().namespace(ns).patch((String) previous[0], PatchType.MERGE,
                        "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}");
                synchronized (seen) {
                    seen.put(key, new Object[] {previous[0], count});
                }
                return;
            }
            String name = names.next(object.getMetadata().getName(), Instant.now());
            Event event = new EventBuilder()
                    .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                    .withNewInvolvedObject().withApiVersion(object.getApiVersion()).withKind(object.getKind())
                    .withNamespace(object.getMetadata().getNamespace()).withName(object.getMetadata().getName())
                    .withUid(object.getMetadata().getUid()).endInvolvedObject()
                    .withType(type).withReason(reason).withMessage(message)
                    .withNewSource().withComponent("kubelet").withHost(host).endSource()
                    .withReportingComponent("kubelet").withReportingInstance(host)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .build();
            client.events().namespace(ns).create(event);
            synchronized (seen) {
                seen.put(key, new Object[] {name, 1});
            }
        } catch (RuntimeException e) {
            LOG.debug("event {} {} for {} not recorded: {}", reason, message, object.getMetadata().getName(), e.toString());
        }
    }

    @Override
    public void close() {
        sender.shutdown();
    }
}
