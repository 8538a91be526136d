package dev.navis.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Records Events about pods (asynchronously: never blocks the scheduling loop). */
public interface EventRecorder {
    String NORMAL = "Normal";
    String WARNING = "Warning";

    /**
     * @param type   {@link #NORMAL} or {@link #WARNING}
     * @param reason e.g. "Scheduled", "FailedScheduling", "Preempted"
     * @param action e.g. "Binding", "Scheduling", "Preempting"
     */
    void event(Pod regarding, String type, String reason, String action, String message);

    EventRecorder NONE = (regarding, type, reason, action, message) -> { };
}
