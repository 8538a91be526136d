package dev.navis.client.storage;

import dev.navis.client.util.NodeSelectors;
import dev.navis.client.util.Selectors;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the PV controller, the scheduler's VolumeBinding plugin and the kubelet agree on about claims and
 * volumes (upstream's k8s.io/component-helpers/storage/volume): the binding annotations, a claim's class, delayed
 * binding, and which Available volume a claim binds to (the smallest that fits).
 */
public final class VolumeClaims {

    public static final String ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    public static final String ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    public static final String ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
    public static final String ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
    public static final String ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
    public static final String ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    public static final String ANN_BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
    public static final String ANN_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
    public static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";
    /** The provisioner name of statically provisioned classes: such claims only bind to existing volumes. */
    public static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";

    private VolumeClaims() {
    }

    /** spec.storageClassName, else the beta annotation, else "" (no class). */
    public static String claimClass(PersistentVolumeClaim claim) {
        String beta = annotation(claim.getMetadata().getAnnotations(), ANN_BETA_STORAGE_CLASS);
        if (beta != null) {
            return beta;
        }
        String name = claim.getSpec() == null ? null : claim.getSpec().getStorageClassName();
        return name == null ? "" : name;
    }

    public static String volumeClass(PersistentVolume volume) {
        String beta = annotation(volume.getMetadata().getAnnotations(), ANN_BETA_STORAGE_CLASS);
        if (beta != null) {
            return beta;
        }
        String name = volume.getSpec() == null ? null : volume.getSpec().getStorageClassName();
        return name == null ? "" : name;
    }

    /** True when the claim's class binds at first consumer ({@code volumeBindingMode: WaitForFirstConsumer}). */
    public static boolean isDelayBinding(PersistentVolumeClaim claim, Function<String, StorageClass> classes) {
        String className = claimClass(claim);
        if (className.isEmpty()) {
            return false;
        }
        StorageClass sc = classes.apply(className);
        return sc != null && WAIT_FOR_FIRST_CONSUMER.equals(sc.getVolumeBindingMode());
    }

    /** The node the scheduler chose for a delayed claim, or null. */
    public static String selectedNode(PersistentVolumeClaim claim) {
        return annotation(claim.getMetadata().getAnnotations(), ANN_SELECTED_NODE);
    }

    public static boolean isBound(PersistentVolumeClaim claim) {
        return claim.getSpec() != null && claim.getSpec().getVolumeName() != null
                && !claim.getSpec().getVolumeName().isEmpty()
                && claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase());
    }

    /** The volume's claimRef names this claim (and its uid, when the ref has one). */
    public static boolean isVolumeBoundToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec() == null ? null : volume.getSpec().getClaimRef();
        if (ref == null) {
            return false;
        }
        if (!claim.getMetadata().getName().equals(ref.getName())
                || !claim.getMetadata().getNamespace().equals(ref.getNamespace())) {
            return false;
        }
        return ref.getUid() == null || ref.getUid().isEmpty() || ref.getUid().equals(claim.getMetadata().getUid());
    }

    /** The volume's required node affinity admits the node (a volume without one fits everywhere). */
    public static boolean nodeAffinityMatches(PersistentVolume volume, Node node) {
        var affinity = volume.getSpec() == null ? null : volume.getSpec().getNodeAffinity();
        if (affinity == null || affinity.getRequired() == null) {
            return true;
        }
        return NodeSelectors.matchesAnyTerm(affinity.getRequired().getNodeSelectorTerms(), node);
    }

    /** The storage a claim requests, in bytes (0 when it names none). */
    public static BigDecimal requestedBytes(PersistentVolumeClaim claim) {
        Map<String, Quantity> requests = claim.getSpec() == null || claim.getSpec().getResources() == null
                ? null : claim.getSpec().getResources().getRequests();
        Quantity q = requests == null ? null : requests.get("storage");
        return q == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(q);
    }

    public static BigDecimal capacityBytes(PersistentVolume volume) {
        Map<String, Quantity> capacity = volume.getSpec() == null ? null : volume.getSpec().getCapacity();
        Quantity q = capacity == null ? null : capacity.get("storage");
        return q == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(q);
    }

    /**
     * The volume the claim binds to, or null (upstream's FindMatchingVolume): a volume pre-bound to the claim
     * wins if it is big enough, of the claim's class and (for {@code node} != null) on that node; otherwise the
     * smallest unclaimed, Available volume with the claim's class, volume mode and access modes, matching its
     * selector, and at least the requested size. Delayed claims without a node bind to nothing yet.
     */
    public static PersistentVolume findMatchingVolume(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes,
                                                      Node node, boolean delayBinding) {
        BigDecimal requested = requestedBytes(claim);
        String className = claimClass(claim);
        PersistentVolume smallest = null;
        BigDecimal smallestSize = null;
        for (PersistentVolume volume : volumes) {
            if (volume.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            BigDecimal size = capacityBytes(volume);
            boolean preBoundHere = isVolumeBoundToClaim(volume, claim);
            if (volume.getSpec().getClaimRef() != null && !preBoundHere) {
                continue;
            }
            if (!volumeMode(claim.getSpec().getVolumeMode()).equals(volumeMode(volume.getSpec().getVolumeMode()))) {
                continue;
            }
            boolean onNode = node == null || nodeAffinityMatches(volume, node);
            if (preBoundHere) {
                if (size.compareTo(requested) >= 0 && className.equals(volumeClass(volume)) && onNode) {
                    return volume;
                }
                continue;
            }
            if (node == null && delayBinding) {
                continue;
            }
            if (volume.getStatus() == null || !"Available".equals(volume.getStatus().getPhase())) {
                continue;
            }
            if (claim.getSpec().getSelector() != null
                    && !Selectors.matches(claim.getSpec().getSelector(), volume.getMetadata().getLabels())) {
                continue;
            }
            if (!className.equals(volumeClass(volume)) || !onNode || !accessModesFit(claim, volume)) {
                continue;
            }
            if (size.compareTo(requested) >= 0 && (smallestSize == null || size.compareTo(smallestSize) < 0)) {
                smallest = volume;
                smallestSize = size;
            }
        }
        return smallest;
    }

    /** Every access mode the claim asks for is one the volume offers. */
    public static boolean accessModesFit(PersistentVolumeClaim claim, PersistentVolume volume) {
        List<String> wanted = claim.getSpec().getAccessModes();
        List<String> offered = volume.getSpec().getAccessModes();
        if (wanted == null || wanted.isEmpty()) {
            return true;
        }
        return offered != null && offered.containsAll(wanted);
    }

    private static String volumeMode(String mode) {
        return mode == null || mode.isEmpty() ? "Filesystem" : mode;
    }

    private static String annotation(Map<String, String> annotations, String key) {
        return annotations == null ? null : annotations.get(key);
    }
}
