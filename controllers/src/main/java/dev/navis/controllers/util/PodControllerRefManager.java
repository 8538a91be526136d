package dev.navis.controllers.util;

import dev.navis.api.selector.LabelSelector;
import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Upstream's PodControllerRefManager.ClaimPods: which of a namespace's pods a controller owns, after adopting
 * matching orphans (strategic merge patch adding its controllerRef, and optionally finalizers) and releasing
 * owned pods whose labels no longer match its selector.
 *
 * <p>Adoption first re-checks, once and lazily, that the owner still exists and is not being deleted
 * ({@code canAdopt}, a live read), so a stale cache never makes a gone controller adopt pods.
 */
public final class PodControllerRefManager {

    private final KubeClient client;
    private final ObjectMeta owner;
    private final OwnerReference controllerRef;
    private final LabelSelector selector;
    private final BooleanSupplier canAdopt;
    private final List<String> adoptionFinalizers;

    /**
     * @param owner              the controller's metadata (uid, deletionTimestamp)
     * @param controllerRef      the reference adopted pods get
     * @param canAdopt           live check that the owner may adopt; called at most once per claim
     * @param adoptionFinalizers finalizers added to adopted pods (the Job's tracking finalizer), may be empty
     */
    public PodControllerRefManager(KubeClient client, ObjectMeta owner, OwnerReference controllerRef,
                                   LabelSelector selector, BooleanSupplier canAdopt, List<String> adoptionFinalizers) {
        this.client = client;
        this.owner = owner;
        this.controllerRef = controllerRef;
        this.selector = selector;
        this.canAdopt = canAdopt;
        this.adoptionFinalizers = List.copyOf(adoptionFinalizers);
    }

    /**
     * The pods of {@code candidates} the owner controls once claimed, in the candidates' order. Adopted pods
     * are returned as cached (their new ownerReference arrives with the next informer event).
     */
    public List<Pod> claim(List<Pod> candidates) {
        String uid = owner.getUid();
        List<Pod> owned = new ArrayList<>();
        Boolean adoptable = null;
        for (Pod pod : candidates) {
            OwnerReference ref = controllerOf(pod);
            boolean matches = !selector.isEmpty() && selector.matches(labels(pod));
            if (ref != null) {
                if (!uid.equals(ref.getUid())) {
                    continue; // another controller's pod
                }
                if (matches) {
                    owned.add(pod);
                } else if (owner.getDeletionTimestamp() == null) {
                    release(pod); // owned but no longer matching; a controller being deleted releases nothing
                }
                continue;
            }
            if (!matches || owner.getDeletionTimestamp() != null || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (adoptable == null) {
                adoptable = canAdopt.getAsBoolean();
            }
            if (adoptable && adopt(pod)) {
                owned.add(pod);
            }
        }
        return owned;
    }

    private boolean adopt(Pod pod) {
        try {
            client.pods().namespace(pod.getMetadata().getNamespace()).patch(pod.getMetadata().getName(),
                    PatchType.STRATEGIC_MERGE,
                    OwnerRefPatches.adopt(controllerRef, pod.getMetadata().getUid(), adoptionFinalizers));
            return true;
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return false; // gone meanwhile: nothing to adopt
            }
            throw e;
        }
    }

    private void release(Pod pod) {
        try {
            client.pods().namespace(pod.getMetadata().getNamespace()).patch(pod.getMetadata().getName(),
                    PatchType.STRATEGIC_MERGE, OwnerRefPatches.release(owner.getUid(), pod.getMetadata().getUid()));
        } catch (ApiException e) {
            // gone, or its uid changed (422 on the uid precondition): nothing of ours to release
            if (!e.isNotFound() && e.code() != 422) {
                throw e;
            }
        }
    }

    /** The ownerReference with {@code controller: true}, null when none. */
    public static OwnerReference controllerOf(HasMetadata object) {
        List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
        if (refs == null) {
            return null;
        }
        for (OwnerReference r : refs) {
            if (Boolean.TRUE.equals(r.getController())) {
                return r;
            }
        }
        return null;
    }

    private static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }
}
