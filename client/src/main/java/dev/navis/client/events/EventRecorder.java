package dev.navis.client.events;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Records core/v1 Events about objects, as client-go's record.EventRecorder: {@code type} is
 * {@link #NORMAL} or {@link #WARNING}, {@code reason} a short CamelCase word (SuccessfulCreate), the message
 * a sentence for humans. Never blocks and never fails: events are best effort.
 *
 * <pre>{@code
 * EventRecorder recorder = broadcaster.recorder("replicaset-controller");
 * recorder.eventf(rs, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: %s", pod.getMetadata().getName());
 * }</pre>
 */
@FunctionalInterface
public interface EventRecorder {

    String NORMAL = "Normal";
    String WARNING = "Warning";

    /** Drops everything: for components built without events. */
    EventRecorder NOOP = (object, type, reason, message) -> {
    };

    void event(HasMetadata object, String type, String reason, String message);

    default void eventf(HasMetadata object, String type, String reason, String format, Object... args) {
        event(object, type, reason, String.format(format, args));
    }
}
