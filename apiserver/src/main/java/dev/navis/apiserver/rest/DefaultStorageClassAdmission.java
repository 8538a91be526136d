package dev.navis.apiserver.rest;

import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's DefaultStorageClass admission plugin: a PersistentVolumeClaim created without
 * {@code spec.storageClassName} (absent, not "") and without the beta class annotation gets the default
 * StorageClass, the one annotated {@code storageclass.kubernetes.io/is-default-class: "true"} (or the beta
 * annotation); when several are, the most recently created wins. Without a default class the claim is left
 * as it is.
 */
final class DefaultStorageClassAdmission implements KindBehaviour {
    private static final String DEFAULT = "storageclass.kubernetes.io/is-default-class";
    private static final String BETA_DEFAULT = "storageclass.beta.kubernetes.io/is-default-class";
    private static final String BETA_CLASS = "volume.beta.kubernetes.io/storage-class";

    private final ObjectStorage storageClasses;

    DefaultStorageClassAdmission(ObjectStorage storageClasses) {
        this.storageClasses = storageClasses;
    }

    @Override
    public void beforeCreate(ObjectNode claim, boolean dryRun) {
        ObjectNode spec = claim.get("spec") instanceof ObjectNode s ? s : claim.putObject("spec");
        if (spec.has("storageClassName") && !spec.get("storageClassName").isNull()) {
            return;
        }
        if (!claim.path("metadata").path("annotations").path(BETA_CLASS).isMissingNode()) {
            return;
        }
        String name = defaultClass();
        if (name != null) {
            spec.put("storageClassName", name);
        }
    }

    private String defaultClass() {
        String best = null;
        String bestCreated = "";
        // a consistent read of the few classes: the watch cache may not have a class created a moment ago
        for (var kv : storageClasses.store().rangePrefix(storageClasses.prefix(""), 0, 0).kvs()) {
            ObjectNode sc = storageClasses.decode(kv);
            var annotations = sc.path("metadata").path("annotations");
            if (!"true".equals(annotations.path(DEFAULT).asString(""))
                    && !"true".equals(annotations.path(BETA_DEFAULT).asString(""))) {
                continue;
            }
            String created = sc.path("metadata").path("creationTimestamp").asString("");
            String name = sc.path("metadata").path("name").asString("");
            if (best == null || created.compareTo(bestCreated) > 0
                    || (created.equals(bestCreated) && name.compareTo(best) < 0)) {
                best = name;
                bestCreated = created;
            }
        }
        return best;
    }
}
