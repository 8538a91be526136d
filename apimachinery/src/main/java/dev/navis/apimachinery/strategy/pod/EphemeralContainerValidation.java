package dev.navis.apimachinery.strategy.pod;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.validation.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Upstream's validateEphemeralContainers: each is a container like the others, with a name unique across all
 * container lists, a target that names a regular or init container, and none of the fields that would make the
 * pod depend on it (ports, probes, lifecycle, resources, restart policy, subPath mounts).
 */
final class EphemeralContainerValidation {

    /** Fields an ephemeral container may not set, in upstream's struct order (the order of its errors). */
    private static final List<String> DISALLOWED = List.of("ports", "resources", "resizePolicy", "restartPolicy",
            "livenessProbe", "readinessProbe", "startupProbe", "lifecycle");
    private static final String NOT_FOR_EPHEMERAL = "cannot be set for an Ephemeral Container";

    private EphemeralContainerValidation() {
    }

    /**
     * @param others names of the pod's containers and init containers
     */
    static List<FieldError> validate(List<JsonNode> ephemeral, Path path, Set<String> others, Set<String> volumes) {
        List<FieldError> errs = new ArrayList<>();
        Set<String> all = new HashSet<>(others);
        for (int i = 0; i < ephemeral.size(); i++) {
            JsonNode c = ephemeral.get(i);
            Path p = path.index(i);
            errs.addAll(PodSpecValidation.container(c, p, volumes));
            String name = Nodes.text(c, "name");
            if (!all.add(name)) {
                errs.add(FieldError.duplicate(p.child("name").toString(), name));
            }
            String target = Nodes.text(c, "targetContainerName");
            if (!target.isEmpty() && !others.contains(target)) {
                errs.add(new FieldError(FieldError.Type.NOT_FOUND, p.child("targetContainerName").toString(), target, ""));
            }
            for (String field : DISALLOWED) {
                if (isSet(c.get(field))) {
                    errs.add(FieldError.forbidden(p.child(field).toString(), NOT_FOR_EPHEMERAL));
                }
            }
            List<JsonNode> mounts = Nodes.list(c, "volumeMounts");
            for (int m = 0; m < mounts.size(); m++) {
                for (String sub : List.of("subPath", "subPathExpr")) {
                    if (!Nodes.text(mounts.get(m), sub).isEmpty()) {
                        errs.add(FieldError.forbidden(p.child("volumeMounts").index(m).child(sub).toString(),
                                NOT_FOR_EPHEMERAL));
                    }
                }
            }
        }
        return errs;
    }

    /** Go's non-zero value: an empty list or object (e.g. kubectl's {@code "resources": {}}) is not set. */
    private static boolean isSet(JsonNode v) {
        if (v == null || v.isNull()) {
            return false;
        }
        return !(v.isContainer() && v.isEmpty());
    }
}
