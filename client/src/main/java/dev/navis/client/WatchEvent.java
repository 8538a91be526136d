package dev.navis.client;

import io.fabric8.kubernetes.api.model.Status;

/**
 * One event of a watch stream. For {@link Type#ERROR} the object is null and {@code status} says why
 * (410 Expired means: relist); for BOOKMARK only the object's resourceVersion is meaningful.
 */
public record WatchEvent<T>(Type type, T object, Status status) {

    public enum Type { ADDED, MODIFIED, DELETED, BOOKMARK, ERROR }

    public static <T> WatchEvent<T> of(Type type, T object) {
        return new WatchEvent<>(type, object, null);
    }

    public static <T> WatchEvent<T> error(Status status) {
        return new WatchEvent<>(Type.ERROR, null, status);
    }
}
