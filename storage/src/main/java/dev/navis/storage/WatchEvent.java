package dev.navis.storage;

/**
 * One change seen by a watch.
 *
 * @param type     PUT for a create or update, DELETE for a delete (including lease expiry)
 * @param kv       the key after the change; for a DELETE, the key with a null value and the delete's revision as modRevision
 * @param prevKv   the key before the change, or null for a create
 */
public record WatchEvent(Type type, KeyValue kv, KeyValue prevKv) {
    public enum Type { PUT, DELETE }

    public long revision() {
        return kv.modRevision();
    }

    public boolean isCreate() {
        return type == Type.PUT && prevKv == null;
    }
}
