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

    /** When the create did not happen after {@link #beforeCreate} (to release what it took). */
    default void createFailed(ObjectNode object) {
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
}
