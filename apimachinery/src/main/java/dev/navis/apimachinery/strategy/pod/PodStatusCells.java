package dev.navis.apimachinery.strategy.pod;

import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Upstream's printPod: the READY, STATUS and RESTARTS cells computed from a pod's status. */
public final class PodStatusCells {

    private PodStatusCells() {
    }

    /** [ready "n/m", status reason, restarts text]. */
    public static List<String> compute(JsonNode pod, Instant now) {
        JsonNode spec = pod.path("spec");
        JsonNode status = pod.path("status");
        int restarts = 0;
        int restartableInitRestarts = 0;
        int total = Nodes.list(spec, "containers").size();
        int ready = 0;
        Instant lastRestart = null;
        Instant lastRestartableInitRestart = null;
        String phase = Nodes.text(status, "phase");
        String reason = Nodes.text(status, "reason").isEmpty() ? phase : Nodes.text(status, "reason");
        for (JsonNode c : Nodes.list(status, "conditions")) {
            if (Nodes.text(c, "type").equals("PodScheduled") && Nodes.text(c, "reason").equals("SchedulingGated")) {
                reason = "SchedulingGated";
            }
        }
        Map<String, JsonNode> inits = new HashMap<>();
        for (JsonNode c : Nodes.list(spec, "initContainers")) {
            inits.put(Nodes.text(c, "name"), c);
            if (restartable(c)) {
                total++;
            }
        }
        boolean initializing = false;
        List<JsonNode> initStatuses = Nodes.list(status, "initContainerStatuses");
        int initCount = Nodes.list(spec, "initContainers").size();
        for (int i = 0; i < initStatuses.size(); i++) {
            JsonNode cs = initStatuses.get(i);
            restarts += (int) Nodes.longValue(cs, 0, "restartCount");
            Instant finished = Cells.instant(Nodes.at(cs, "lastState", "terminated", "finishedAt"));
            lastRestart = later(lastRestart, finished);
            boolean isRestartable = restartable(inits.get(Nodes.text(cs, "name")));
            if (isRestartable) {
                restartableInitRestarts += (int) Nodes.longValue(cs, 0, "restartCount");
                lastRestartableInitRestart = later(lastRestartableInitRestart, finished);
            }
            JsonNode terminated = Nodes.at(cs, "state", "terminated");
            JsonNode waiting = Nodes.at(cs, "state", "waiting");
            if (terminated.isObject() && Nodes.longValue(terminated, 0, "exitCode") == 0) {
                continue;
            }
            if (isRestartable && Nodes.bool(cs, "started")) {
                if (Nodes.bool(cs, "ready")) {
                    ready++;
                }
                continue;
            }
            if (terminated.isObject()) {
                String r = Nodes.text(terminated, "reason");
                if (r.isEmpty()) {
                    long signal = Nodes.longValue(terminated, 0, "signal");
                    reason = signal != 0 ? "Init:Signal:" + signal
                            : "Init:ExitCode:" + Nodes.longValue(terminated, 0, "exitCode");
                } else {
                    reason = "Init:" + r;
                }
            } else if (waiting.isObject() && !Nodes.text(waiting, "reason").isEmpty()
                    && !Nodes.text(waiting, "reason").equals("PodInitializing")) {
                reason = "Init:" + Nodes.text(waiting, "reason");
            } else {
                reason = "Init:" + i + "/" + initCount;
            }
            initializing = true;
            break;
        }
        if (!initializing || conditionTrue(status, "Initialized")) {
            restarts = restartableInitRestarts;
            lastRestart = lastRestartableInitRestart;
            boolean hasRunning = false;
            List<JsonNode> statuses = Nodes.list(status, "containerStatuses");
            for (int i = statuses.size() - 1; i >= 0; i--) {
                JsonNode cs = statuses.get(i);
                restarts += (int) Nodes.longValue(cs, 0, "restartCount");
                lastRestart = later(lastRestart, Cells.instant(Nodes.at(cs, "lastState", "terminated", "finishedAt")));
                JsonNode waiting = Nodes.at(cs, "state", "waiting");
                JsonNode terminated = Nodes.at(cs, "state", "terminated");
                if (waiting.isObject() && !Nodes.text(waiting, "reason").isEmpty()) {
                    reason = Nodes.text(waiting, "reason");
                } else if (terminated.isObject() && !Nodes.text(terminated, "reason").isEmpty()) {
                    reason = Nodes.text(terminated, "reason");
                } else if (terminated.isObject()) {
                    long signal = Nodes.longValue(terminated, 0, "signal");
                    reason = signal != 0 ? "Signal:" + signal : "ExitCode:" + Nodes.longValue(terminated, 0, "exitCode");
                } else if (Nodes.bool(cs, "ready") && Nodes.at(cs, "state", "running").isObject()) {
                    hasRunning = true;
                    ready++;
                }
            }
            if (reason.equals("Completed") && hasRunning) {
                reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
            }
        }
        boolean deleting = Nodes.has(pod, "metadata", "deletionTimestamp");
        if (deleting && Nodes.text(status, "reason").equals("NodeLost")) {
            reason = "Unknown";
        } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
            reason = "Terminating";
        }
        String restartsText = Integer.toString(restarts);
        if (restarts != 0 && lastRestart != null) {
            restartsText = restarts + " (" + TableColumn.humanDuration(Duration.between(lastRestart, now)) + " ago)";
        }
        return List.of(ready + "/" + total, reason, restartsText);
    }

    private static boolean restartable(JsonNode initContainer) {
        return initContainer != null && Nodes.text(initContainer, "restartPolicy").equals("Always");
    }

    private static Instant later(Instant a, Instant b) {
        if (b == null) {
            return a;
        }
        return a == null || b.isAfter(a) ? b : a;
    }

    private static boolean conditionTrue(JsonNode status, String type) {
        for (JsonNode c : Nodes.list(status, "conditions")) {
            if (Nodes.text(c, "type").equals(type)) {
                return Nodes.text(c, "status").equals("True");
            }
        }
        return false;
    }
}
