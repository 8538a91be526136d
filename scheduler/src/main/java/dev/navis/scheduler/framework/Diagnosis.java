package dev.navis.scheduler.framework;

import java.util.HashSet;
import java.util.Set;

/** What a failed scheduling cycle learned: node statuses, the rejecting plugins and the messages. */
public final class Diagnosis {
    public final NodeToStatus nodeToStatus = new NodeToStatus();
    public final Set<String> unschedulablePlugins = new HashSet<>();
    public final Set<String> pendingPlugins = new HashSet<>();
    public String preFilterMessage = "";
    public String postFilterMessage = "";

    /** Records the plugin of a rejecting status (upstream's AddPluginStatus). */
    public void addPluginStatus(Status status) {
        if (status.plugin() == null) {
            return;
        }
        if (status.isRejected()) {
            unschedulablePlugins.add(status.plugin());
        }
        if (status.code() == Status.Code.PENDING) {
            pendingPlugins.add(status.plugin());
        }
    }
}
