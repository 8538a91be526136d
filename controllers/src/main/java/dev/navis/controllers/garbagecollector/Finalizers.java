package dev.navis.controllers.garbagecollector;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** The finalizers the API server records for the Orphan and Foreground propagation policies. */
final class Finalizers {

    /** metav1.FinalizerOrphanDependents. */
    static final String ORPHAN = "orphan";
    /** metav1.FinalizerDeleteDependents. */
    static final String FOREGROUND = "foregroundDeletion";

    private Finalizers() {
    }

    static boolean has(HasMetadata o, String finalizer) {
        List<String> f = o.getMetadata().getFinalizers();
        return f != null && f.contains(finalizer);
    }

    static boolean beingDeleted(HasMetadata o) {
        String ts = o.getMetadata().getDeletionTimestamp();
        return ts != null && !ts.isEmpty();
    }
}
