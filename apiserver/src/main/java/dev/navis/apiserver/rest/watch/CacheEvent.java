package dev.navis.apiserver.rest.watch;

import tools.jackson.databind.node.ObjectNode;

/**
 * One change of one object as the watch cache saw it. Objects carry their resourceVersion and must not be
 * modified (they are shared by every watcher).
 *
 * @param type      ADDED, MODIFIED or DELETED
 * @param object    the object after the change (for DELETED: the last state, with the delete's revision)
 * @param prev      the object before the change, or null for ADDED
 * @param revision  the store revision of the change
 */
public record CacheEvent(Type type, ObjectNode object, ObjectNode prev, long revision) {
    public enum Type { ADDED, MODIFIED, DELETED, BOOKMARK, ERROR }
}
