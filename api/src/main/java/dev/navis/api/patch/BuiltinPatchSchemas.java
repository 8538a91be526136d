package dev.navis.api.patch;

import static dev.navis.api.patch.PatchSchema.atomicList;
import static dev.navis.api.patch.PatchSchema.mergeList;
import static dev.navis.api.patch.PatchSchema.primitiveSet;
import static dev.navis.api.patch.PatchSchema.struct;

import java.util.Map;

/** Strategic-merge metadata of the built-in kinds, transcribed from upstream's k8s.io/api struct tags. */
public final class BuiltinPatchSchemas {

    static final PatchSchema OBJECT_META = struct(
            "finalizers", primitiveSet(),
            "ownerReferences", mergeList("uid", PatchSchema.ANY));

    static final PatchSchema CONTAINER = struct(
            "ports", mergeList("containerPort", PatchSchema.ANY),
            "env", mergeList("name", PatchSchema.ANY),
            "volumeMounts", mergeList("mountPath", PatchSchema.ANY),
            "volumeDevices", mergeList("devicePath", PatchSchema.ANY));

    static final PatchSchema POD_SPEC = struct(
            "volumes", mergeList("name", PatchSchema.ANY),
            "initContainers", mergeList("name", CONTAINER),
            "containers", mergeList("name", CONTAINER),
            "ephemeralContainers", mergeList("name", CONTAINER),
            "imagePullSecrets", mergeList("name", PatchSchema.ANY),
            "hostAliases", mergeList("ip", PatchSchema.ANY),
            "topologySpreadConstraints", mergeList("topologyKey", PatchSchema.ANY),
            "schedulingGates", mergeList("name", PatchSchema.ANY),
            "resourceClaims", mergeList("name", PatchSchema.ANY));

    static final PatchSchema CONDITIONS = mergeList("type", PatchSchema.ANY);

    static final PatchSchema POD_STATUS = struct(
            "conditions", CONDITIONS,
            "podIPs", mergeList("ip", PatchSchema.ANY),
            "hostIPs", mergeList("ip", PatchSchema.ANY));

    static final PatchSchema POD_TEMPLATE_SPEC = struct("metadata", OBJECT_META, "spec", POD_SPEC);

    static final PatchSchema STATUS_WITH_CONDITIONS = struct("conditions", CONDITIONS);

    private static PatchSchema kind(Object... fields) {
        return struct("metadata", OBJECT_META).with(fields);
    }

    private static PatchSchema workload(Object... specFields) {
        return kind("spec", struct("template", POD_TEMPLATE_SPEC).with(specFields), "status", STATUS_WITH_CONDITIONS);
    }

    private static final Map<String, PatchSchema> BY_KIND = Map.ofEntries(
            Map.entry("Pod", kind("spec", POD_SPEC, "status", POD_STATUS)),
            Map.entry("PodTemplate", kind("template", POD_TEMPLATE_SPEC)),
            Map.entry("ReplicationController", workload()),
            Map.entry("Deployment", workload()),
            Map.entry("ReplicaSet", workload()),
            Map.entry("StatefulSet", workload("volumeClaimTemplates", atomicList(kind()))),
            Map.entry("DaemonSet", workload()),
            Map.entry("Job", workload()),
            Map.entry("CronJob", kind("spec", struct("jobTemplate", struct("metadata", OBJECT_META,
                    "spec", struct("template", POD_TEMPLATE_SPEC))))),
            Map.entry("Service", kind("spec", struct("ports", mergeList("port", PatchSchema.ANY)),
                    "status", STATUS_WITH_CONDITIONS)),
            Map.entry("Node", kind("spec", struct("podCIDRs", primitiveSet()),
                    "status", struct("conditions", CONDITIONS, "addresses", mergeList("type", PatchSchema.ANY)))),
            Map.entry("Namespace", kind("status", STATUS_WITH_CONDITIONS)),
            Map.entry("PersistentVolumeClaim", kind("status", STATUS_WITH_CONDITIONS)),
            Map.entry("ServiceAccount", kind("secrets", mergeList("name", PatchSchema.ANY))),
            Map.entry("HorizontalPodAutoscaler", kind("status", STATUS_WITH_CONDITIONS)),
            Map.entry("PodDisruptionBudget", kind("status", STATUS_WITH_CONDITIONS)));

    private static final PatchSchema DEFAULT = kind();

    private BuiltinPatchSchemas() {
    }

    /** The schema of a built-in kind; kinds without list metadata get ObjectMeta's only. */
    public static PatchSchema forKind(String kind) {
        return BY_KIND.getOrDefault(kind, DEFAULT);
    }
}
