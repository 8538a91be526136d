package dev.navis.controllers.util;

import dev.navis.api.selector.LabelSelector;
import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Upstream's PodControllerRefManager.ClaimPods: which pods a controller owns after it adopts matching
 * orphans (strategic merge patch adding its controllerRef) and releases owned pods whose labels no longer
 * match (patch deleting the reference). Adoption first asks {@code canAdopt} once, lazily — upstream's
 * RecheckDeletionTimestamp, a live read showing the owner still exists and is not being deleted — so a
 * stale cache never makes a vanished controller adopt.
 */
public final class PodControllerRefManager {

    private final KubeClient client;
    private final HasMetadata owner;
    private final OwnerReference controllerRef;
    private final LabelSelector selector;
    private final BooleanSupplier canAdopt;
    private Boolean adoptionAllowed;

    public PodControllerRefManager(KubeClient client, HasMetadata owner, OwnerReference controllerRef,
                                   LabelSelector selector, BooleanSupplier canAdopt) {
        this.client = client;
        this.owner = owner;
        this.controllerRef = controllerRef;
        this.selector = selector;
        this.canAdopt = canAdopt;
    }

    /** The pods of {@code candidates} the owner controls once adoption and release are done, in input order. */
    public List<Pod> claim(List<Pod> candidates) {
        String uid = owner.getMetadata().getUid();
        boolean ownerDeleting = owner.getMetadata().getDeletionTimestamp() != null;
        List<Pod> owned = new ArrayList<>();
        for (Pod pod : candidates) {
            OwnerReference ref = ControllerRefs.controllerOf(pod);
            boolean matches = !selector.isEmpty() && selector.matches(ControllerRefs.labels(pod));
            if (ref != null) {
                if (!uid.equals(ref.getUid())) {
                    continue; // another controller's pod
                }
                if (matches) {
                    owned.add(pod);
                } else if (!ownerDeleting) {
                    release(pod);
                }
                continue;
            }
            if (!matches || ownerDeleting || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (adoptionAllowed == null) {
                adoptionAllowed = canAdopt.getAsBoolean();
            }
            if (adoptionAllowed && adopt(pod)) {
                owned.add(pod);
            }
        }
        return owned;
    }

    private boolean adopt(Pod pod) {
        try {
            client.pods().namespace(pod.getMetadata().getNamespace()).patch(pod.getMetadata().getName(),
                    PatchType.STRATEGIC_MERGE, OwnerRefPatches.adopt(controllerRef, pod.getMetadata().getUid()));
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
                    PatchType.STRATEGIC_MERGE, OwnerRefPatches.release(owner.getMetadata().getUid(),
                            pod.getMetadata().getUid()));
        } catch (ApiException e) {
            // gone, or its uid changed (422 on the uid precondition): nothing of ours to release
            if (!e.isNotFound() && e.code() != 422) {
                throw e;
            }
        }
    }
}
