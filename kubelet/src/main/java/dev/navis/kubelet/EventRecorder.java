package dev.navis.kubelet;

import dev.navis.client.KubeClient;
import dev.navis.client.events.EventBroadcaster;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Records the kubelet's core/v1 Events (source component "kubelet", host = the node) through the client's
 * {@link EventBroadcaster}, as upstream's kubelet uses client-go's recorder: off the caller's thread, best effort,
 * with its spam filter, and a repeat of the same event becomes a count bump of the existing one.
 */
public final class EventRecorder implements AutoCloseable {
    private final EventBroadcaster broadcaster;
    private final dev.navis.client.events.EventRecorder recorder;

    public EventRecorder(KubeClient client, String host, Clock clock) {
        this.broadcaster = new EventBroadcaster(client, clock);
        this.recorder = broadcaster.recorder("kubelet", host);
        broadcaster.start();
    }

    /** @param type Normal or Warning */
    public void record(HasMetadata object, String type, String reason, String message) {
        recorder.event(object, type, reason, message);
    }

    @Override
    public void close() {
        broadcaster.close();
    }
}
