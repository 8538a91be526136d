package dev.navis.controllers.util;

import dev.navis.api.selector.LabelSelector;
import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Controller references and selectors as upstream's metav1 helpers read them. */
public final class ControllerRefs {

    private ControllerRefs() {
    }

    /** The ownerReference with {@code controller: true}, null when the object has none (an orphan). */
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

    /**
     * A live read before adopting (upstream's RecheckDeletionTimestamp): never adopt for an owner that a stale
     * cache still shows but that is gone, replaced (another uid) or being deleted.
     */
    public static boolean recheckCanAdopt(KubeClient client, HasMetadata owner) {
        try {
            HasMetadata fresh = client.resource(owner.getClass()).namespace(owner.getMetadata().getNamespace())
                    .get(owner.getMetadata().getName());
            return Objects.equals(fresh.getMetadata().getUid(), owner.getMetadata().getUid())
                    && fresh.getMetadata().getDeletionTimestamp() == null;
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    /** Upstream's NewControllerRef: a reference to {@code owner} with controller and blockOwnerDeletion set. */
    public static OwnerReference newControllerRef(HasMetadata owner, String apiVersion, String kind) {
        return new OwnerReferenceBuilder()
                .withApiVersion(apiVersion)
                .withKind(kind)
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /**
     * A workload's {@code spec.selector} (a metav1.LabelSelector object) as a matcher; null or invalid
     * selectors match nothing, since validation refuses them and acting on one would claim foreign pods.
     */
    public static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        if (selector == null) {
            return LabelSelector.nothing();
        }
        try {
            return LabelSelector.fromObject(Json.tree(selector));
        } catch (RuntimeException e) {
            return LabelSelector.nothing();
        }
    }

    public static Map<String, String> labels(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }
}
