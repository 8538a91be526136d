package dev.navis.controllers.statefulset;

import dev.navis.client.Json;
import dev.navis.controllers.history.ControllerHistory;
import dev.navis.controllers.util.ControllerRefs;
import dev.navis.controllers.util.PodConditions;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A StatefulSet's pods and claims as upstream's stateful_set_utils.go makes them: pod {@code <set>-<ordinal>}
 * with the pod-name and pod-index labels, hostname = pod name, subdomain = serviceName; one claim per
 * volumeClaimTemplate named {@code <template>-<set>-<ordinal>}, mounted as the volume of the template's name.
 */
final class StatefulSetPods {

    static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
    static final String KIND = "StatefulSet";
    static final String API_VERSION = "apps/v1";
    private static final Pattern STATEFUL_POD_NAME = Pattern.compile("(.*)-([0-9]+)$");

    private StatefulSetPods() {
    }

    /** The ordinal of a pod named {@code <parent>-<n>}, -1 when the name has no ordinal. */
    static int ordinal(Pod pod) {
        Matcher m = STATEFUL_POD_NAME.matcher(pod.getMetadata().getName());
        if (!m.matches()) {
            return -1;
        }
        try {
            return Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Upstream's isMemberOf: the pod's name is {@code <set>-<ordinal>}. */
    static boolean isMemberOf(StatefulSet set, Pod pod) {
        Matcher m = STATEFUL_POD_NAME.matcher(pod.getMetadata().getName());
        return m.matches() && m.group(1).equals(set.getMetadata().getName()) && ordinal(pod) >= 0;
    }

    static String podName(StatefulSet set, int ordinal) {
        return set.getMetadata().getName() + "-" + ordinal;
    }

    static String claimName(StatefulSet set, PersistentVolumeClaim template, int ordinal) {
        return template.getMetadata().getName() + "-" + set.getMetadata().getName() + "-" + ordinal;
    }

    static int startOrdinal(StatefulSet set) {
        var ordinals = set.getSpec().getOrdinals();
        return ordinals == null || ordinals.getStart() == null ? 0 : ordinals.getStart();
    }

    static int replicas(StatefulSet set) {
        Integer r = set.getSpec().getReplicas();
        return r == null ? 1 : r;
    }

    static String revision(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? null : labels.get(ControllerHistory.HASH_LABEL);
    }

    static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    static boolean isRunningAndReady(Pod pod) {
        return "Running".equals(PodConditions.phase(pod)) && PodConditions.isReady(pod);
    }

    static boolean isRunningAndAvailable(Pod pod, int minReadySeconds, Instant now) {
        return "Running".equals(PodConditions.phase(pod)) && PodConditions.isAvailable(pod, minReadySeconds, now);
    }

    /** Upstream's isHealthy: running, ready (and available), not being deleted. */
    static boolean isHealthy(Pod pod, int minReadySeconds, Instant now) {
        return isRunningAndAvailable(pod, minReadySeconds, now) && !isTerminating(pod);
    }

    static boolean isFailed(Pod pod) {
        return "Failed".equals(PodConditions.phase(pod));
    }

    static boolean isSucceeded(Pod pod) {
        return "Succeeded".equals(PodConditions.phase(pod));
    }

    static OwnerReference controllerRef(StatefulSet set) {
        return ControllerRefs.newControllerRef(set, API_VERSION, KIND);
    }

    /**
     * Upstream's newVersionedStatefulSetPod + newStatefulSetPod: the pod of {@code ordinal} from
     * {@code template}, labelled with {@code revisionName}.
     */
    static Pod newPod(StatefulSet set, PodTemplateSpec template, String revisionName, int ordinal) {
        ObjectMeta tm = template == null || template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        ObjectMeta meta = new ObjectMeta();
        String name = podName(set, ordinal);
        meta.setName(name);
        meta.setNamespace(set.getMetadata().getNamespace());
        Map<String, String> labels = tm.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(tm.getLabels());
        labels.put(POD_NAME_LABEL, name);
        labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
        labels.put(ControllerHistory.HASH_LABEL, revisionName);
        meta.setLabels(labels);
        meta.setAnnotations(tm.getAnnotations() == null ? null : new HashMap<>(tm.getAnnotations()));
        meta.setFinalizers(tm.getFinalizers() == null ? null : new ArrayList<>(tm.getFinalizers()));
        meta.setOwnerReferences(new ArrayList<>(List.of(controllerRef(set))));
        Pod pod = new Pod();
        pod.setApiVersion("v1");
        pod.setKind("Pod");
        pod.setMetadata(meta);
        PodSpec spec = template == null || template.getSpec() == null ? new PodSpec() : Json.deepCopy(template.getSpec());
        spec.setHostname(name);
        String service = set.getSpec().getServiceName();
        if (service != null && !service.isEmpty()) {
            spec.setSubdomain(service);
        }
        pod.setSpec(spec);
        mountClaims(set, pod, ordinal);
        return pod;
    }

    /** Upstream's updateStorage: each claim template becomes the pod volume of its name, bound to the claim. */
    private static void mountClaims(StatefulSet set, Pod pod, int ordinal) {
        List<PersistentVolumeClaim> templates = set.getSpec().getVolumeClaimTemplates();
        if (templates == null || templates.isEmpty()) {
            return;
        }
        List<Volume> volumes = new ArrayList<>();
        Map<String, PersistentVolumeClaim> byName = new LinkedHashMap<>();
        for (PersistentVolumeClaim t : templates) {
            byName.put(t.getMetadata().getName(), t);
        }
        for (PersistentVolumeClaim t : byName.values()) {
            Volume v = new Volume();
            v.setName(t.getMetadata().getName());
            v.setPersistentVolumeClaim(new PersistentVolumeClaimVolumeSourceBuilder()
                    .withClaimName(claimName(set, t, ordinal)).build());
            volumes.add(v);
        }
        if (pod.getSpec().getVolumes() != null) {
            for (Volume v : pod.getSpec().getVolumes()) {
                if (!byName.containsKey(v.getName())) {
                    volumes.add(v);
                }
            }
        }
        pod.getSpec().setVolumes(volumes);
    }

    /** Upstream's getPersistentVolumeClaims: the claims of {@code ordinal}, labelled with the selector's matchLabels. */
    static List<PersistentVolumeClaim> claims(StatefulSet set, int ordinal) {
        List<PersistentVolumeClaim> templates = set.getSpec().getVolumeClaimTemplates();
        if (templates == null) {
            return List.of();
        }
        List<PersistentVolumeClaim> claims = new ArrayList<>();
        for (PersistentVolumeClaim t : templates) {
            PersistentVolumeClaim claim = Json.deepCopy(t);
            claim.setApiVersion("v1");
            claim.setKind("PersistentVolumeClaim");
            claim.setStatus(null);
            ObjectMeta meta = claim.getMetadata();
            meta.setName(claimName(set, t, ordinal));
            meta.setNamespace(set.getMetadata().getNamespace());
            Map<String, String> labels = meta.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getLabels());
            Map<String, String> match = set.getSpec().getSelector() == null ? null
                    : set.getSpec().getSelector().getMatchLabels();
            if (match != null) {
                labels.putAll(match);
            }
            meta.setLabels(labels.isEmpty() ? null : labels);
            claims.add(claim);
        }
        return claims;
    }
}
