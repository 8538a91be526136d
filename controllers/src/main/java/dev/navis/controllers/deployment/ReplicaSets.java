package dev.navis.controllers.deployment;

import dev.navis.client.Json;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Read-only facts about ReplicaSets the Deployment controller needs (upstream's deployment/util). */
final class ReplicaSets {

    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";

    /** Oldest first, name breaking ties (upstream's ReplicaSetsByCreationTimestamp). */
    static final Comparator<ReplicaSet> BY_CREATION = Comparator
            .comparing((ReplicaSet rs) -> String.valueOf(rs.getMetadata().getCreationTimestamp()))
            .thenComparing(rs -> rs.getMetadata().getName());

    private ReplicaSets() {
    }

    static int specReplicas(ReplicaSet rs) {
        Integer r = rs.getSpec() == null ? null : rs.getSpec().getReplicas();
        return r == null ? 1 : r;
    }

    static int statusReplicas(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getReplicas() == null ? 0 : rs.getStatus().getReplicas();
    }

    static int availableReplicas(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null
                ? 0 : rs.getStatus().getAvailableReplicas();
    }

    static int readyReplicas(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null
                ? 0 : rs.getStatus().getReadyReplicas();
    }

    static long revision(ReplicaSet rs) {
        Map<String, String> annotations = rs.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(REVISION);
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static long maxRevision(List<ReplicaSet> replicaSets) {
        return replicaSets.stream().mapToLong(ReplicaSets::revision).max().orElse(0);
    }

    static int sumSpec(List<ReplicaSet> replicaSets) {
        return replicaSets.stream().mapToInt(ReplicaSets::specReplicas).sum();
    }

    static OwnerReference controllerOf(ReplicaSet rs) {
        List<OwnerReference> refs = rs.getMetadata().getOwnerReferences();
        if (refs == null) {
            return null;
        }
        return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(null);
    }

    /** Upstream's EqualIgnoreHash: the templates are equal once the pod-template-hash label is dropped. */
    static boolean equalIgnoreHash(PodTemplateSpec a, PodTemplateSpec b) {
        // the model's equals first (no copies, no trees): a Deployment's sync compares each of its ReplicaSets
        return equalByModelIgnoreHash(a, b) || Json.tree(withoutHash(a)).equals(Json.tree(withoutHash(b)));
    }

    /** True when the two templates are equal field by field once the hash label is left out; false may be either. */
    private static boolean equalByModelIgnoreHash(PodTemplateSpec a, PodTemplateSpec b) {
        if (!java.util.Objects.equals(a.getSpec(), b.getSpec())) {
            return false;
        }
        ObjectMeta ma = a.getMetadata() == null ? new ObjectMeta() : a.getMetadata();
        ObjectMeta mb = b.getMetadata() == null ? new ObjectMeta() : b.getMetadata();
        if (!labelsWithoutHash(ma).equals(labelsWithoutHash(mb))) {
            return false;
        }
        // informer objects are never mutated: compare label-less shallow copies of the small template metadata
        return withoutLabels(ma).equals(withoutLabels(mb));
    }

    private static ObjectMeta withoutLabels(ObjectMeta meta) {
        return meta.getLabels() == null ? meta : new ObjectMetaBuilder(meta).withLabels(null).build();
    }

    private static Map<String, String> labelsWithoutHash(ObjectMeta meta) {
        if (meta.getLabels() == null || !meta.getLabels().containsKey(PodTemplateHash.LABEL)) {
            return meta.getLabels() == null ? Map.of() : meta.getLabels();
        }
        Map<String, String> labels = new HashMap<>(meta.getLabels());
        labels.remove(PodTemplateHash.LABEL);
        return labels;
    }

    private static PodTemplateSpec withoutHash(PodTemplateSpec template) {
        PodTemplateSpec copy = Json.deepCopy(template);
        if (copy.getMetadata() != null && copy.getMetadata().getLabels() != null) {
            Map<String, String> labels = new HashMap<>(copy.getMetadata().getLabels());
            labels.remove(PodTemplateHash.LABEL);
            copy.getMetadata().setLabels(labels.isEmpty() ? null : labels);
        }
        return copy;
    }
}
