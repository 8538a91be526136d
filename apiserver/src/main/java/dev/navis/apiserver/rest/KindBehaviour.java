package dev.navis.apiserver.rest;

import tools.jackson.databind.node.ObjectNode;

/**
 * What a kind does beyond generic handling, inside the API server like upstream's per-kind REST storage
 * (e.g. Service IP allocation). Hooks throw {@link ApiException} to refuse.
 */
public interface KindBehaviour {
    KindBehaviour NONE = new KindBehaviour() {
    };

    /** Before a new object is validated and stored (after defaults). */
    default void beforeCreate(ObjectNode object, boolean dryRun) {
    }

    /**
     * Validating admission: after the object (new, or updated from {@code old}; null on create) passed validation,
     * before it is stored, as upstream's validating admission plugins (e.g. ResourceQuota). A refusal is followed
     * by {@link #createFailed} or {@link #updateFailed}.
     */
    default void admit(ObjectNode object, ObjectNode old, boolean dryRun) {
    }

    /** When the create did not happen after {@link #beforeCreate} (to release what it took). */
    default void createFailed(ObjectNode object) {
    }

    /** After the create was stored (what {@link #beforeCreate} took is now held by the object). */
    default void afterCreate(ObjectNode object) {
    }

    /** Before an update is validated and stored. */
    default void beforeUpdate(ObjectNode object, ObjectNode old, boolean dryRun) {
    }

    /** When an update did not happen after {@link #beforeUpdate}. */
    default void updateFailed(ObjectNode object, ObjectNode old) {
    }

    /** After an update was stored. */
    default void afterUpdate(ObjectNode object, ObjectNode old) {
    }

    /** After the object was removed from the store. */
    default void afterDelete(ObjectNode object) {
    }

    /**
     * Several behaviours of one kind run in order, as upstream's admission chain (a kind has one slot).
     * A refusal by one stops the rest; the failure hooks reach every part.
     */
    static KindBehaviour chain(KindBehaviour... parts) {
        java.util.List<KindBehaviour> chain = java.util.List.of(parts);
        return new KindBehaviour() {
            @Override
            public void beforeCreate(ObjectNode object, boolean dryRun) {
                chain.forEach(b -> b.beforeCreate(object, dryRun));
            }

            @Override
            public void admit(ObjectNode object, ObjectNode old, boolean dryRun) {
                chain.forEach(b -> b.admit(object, old, dryRun));
            }

            @Override
            public void createFailed(ObjectNode object) {
                chain.forEach(b -> b.createFailed(object));
            }

            @Override
            public void afterCreate(ObjectNode object) {
                chain.forEach(b -> b.afterCreate(object));
            }

            @Override
            public void beforeUpdate(ObjectNode object, ObjectNode old, boolean dryRun) {
                chain.forEach(b -> b.beforeUpdate(object, old, dryRun));
            }

            @Override
            public void updateFailed(ObjectNode object, ObjectNode old) {
                chain.forEach(b -> b.updateFailed(object, old));
            }

            @Override
            public void afterUpdate(ObjectNode object, ObjectNode old) {
                chain.forEach(b -> b.afterUpdate(object, old));
            }

            @Override
            public void afterDelete(ObjectNode object) {
                chain.forEach(b -> b.afterDelete(object));
            }
        };
    }
}
