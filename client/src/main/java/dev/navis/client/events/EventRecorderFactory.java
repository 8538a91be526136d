package dev.navis.client.events;

/**
 * Hands out one {@link EventRecorder} per reporting component ({@code source.component}, e.g.
 * "replicaset-controller"); implemented by {@link EventBroadcaster} and by the tests' fake recorder.
 */
@FunctionalInterface
public interface EventRecorderFactory {

    /** Every recorder drops its events. */
    EventRecorderFactory NOOP = component -> EventRecorder.NOOP;

    EventRecorder recorder(String component);
}
