package dev.navis.client.record;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * client-go's record.EventRecorder: what a component reports about an object ({@code Normal} or
 * {@code Warning}, a CamelCase reason, a human message). Recording never fails or blocks the caller; the
 * event reaches the API server asynchronously (see {@link EventBroadcaster}).
 */
public interface EventRecorder {

    String NORMAL = "Normal";
    String WARNING = "Warning";

    /** Drops every event: for components and tests that do not look at events. */
    EventRecorder NOOP = (regarding, type, reason, message) -> { };

    void event(HasMetadata regarding, String type, String reason, String message);

    default void eventf(HasMetadata regarding, String type, String reason, String format, Object... args) {
        event(regarding, type, reason, String.format(format, args));
    }

    /** Hands out one recorder per reporting component ("job-controller", "cronjob-controller", …). */
    interface Provider {

        /** A provider whose recorders drop everything. */
        Provider NOOP = component -> EventRecorder.NOOP;

        EventRecorder recorder(String component);
    }
}
