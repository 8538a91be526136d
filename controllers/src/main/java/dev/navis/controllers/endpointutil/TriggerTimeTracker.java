package dev.navis.controllers.endpointutil;

import dev.navis.client.informer.Keys;
import dev.navis.client.Json;
import dev.navis.controllers.util.PodConditions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream's TriggerTimeTracker: the value of the {@code endpoints.kubernetes.io/last-change-trigger-time}
 * annotation, i.e. the earliest time of a change (pod or service) that the next write reflects. A pod's
 * change time is its Ready condition's lastTransitionTime (else its creation), a service's its creation.
 * Only pods whose state changed since the last sync of the service count.
 */
public final class TriggerTimeTracker {

    private record State(Map<String, String> pods, String service) {
    }

    private final Map<String, State> last = new ConcurrentHashMap<>();

    /** The trigger time for {@code svc} with its current {@code pods}, null when nothing changed. */
    public Instant compute(Service svc, List<Pod> pods) {
        String key = Keys.of(svc);
        State before = last.get(key);
        Map<String, String> now = new HashMap<>();
        Instant min = null;
        for (Pod p : pods) {
            String podKey = Keys.of(p);
            String state = Json.writeString(p.getSpec()) + Json.writeString(p.getStatus())
                    + Json.writeString(p.getMetadata().getLabels()) + p.getMetadata().getDeletionTimestamp();
            now.put(podKey, state);
            if (before == null || !state.equals(before.pods().get(podKey))) {
                min = earliest(min, podTriggerTime(p));
            }
        }
        String svcState = Json.writeString(svc.getSpec());
        if (before == null || !Objects.equals(svcState, before.service())) {
            min = earliest(min, parse(svc.getMetadata().getCreationTimestamp()));
        }
        last.put(key, new State(now, svcState));
        return min;
    }

    public void forget(String serviceKey) {
        last.remove(serviceKey);
    }

    private static Instant podTriggerTime(Pod p) {
        PodCondition ready = PodConditions.readyCondition(p);
        if (ready != null && ready.getLastTransitionTime() != null) {
            return parse(ready.getLastTransitionTime());
        }
        return parse(p.getMetadata().getCreationTimestamp());
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    private static Instant parse(String ts) {
        try {
            return ts == null ? null : Instant.parse(ts);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
