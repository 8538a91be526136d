package dev.navis.apiserver.rest.watch;

import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * One change of one object as the watch cache saw it. Objects carry their resourceVersion and must not be
 * modified (they are shared by every watcher). The event also keeps the encoded watch lines its watchers
 * asked for, so that watchers with the same output share one encoding instead of encoding per watcher.
 */
public final class CacheEvent {
    public enum Type { ADDED, MODIFIED, DELETED, BOOKMARK, ERROR }

    private final Type type;
    private final WatchCache.Entry object;
    private final WatchCache.Entry prev;
    private final long revision;
    /** Encoded lines as key, bytes, key, bytes...; few watch outputs exist, so a list beats a map. */
    private volatile Object[] encodings;

    /**
     * @param type     ADDED, MODIFIED or DELETED
     * @param object   the object after the change (for DELETED: the last state, with the delete's revision)
     * @param prev     the object before the change, or null for ADDED
     * @param revision the store revision of the change
     */
    public CacheEvent(Type type, WatchCache.Entry object, WatchCache.Entry prev, long revision) {
        this.type = type;
        this.object = object;
        this.prev = prev;
        this.revision = revision;
    }

    /** The deletion at {@code revision} of the object last stored as {@code last}. */
    static CacheEvent deleted(WatchCache.Entry last, long revision) {
        WatchCache.Entry gone = WatchCache.Entry.derived(() -> {
            ObjectNode o = last.object().deepCopy();
            ((ObjectNode) o.get("metadata")).put("resourceVersion", Long.toString(revision));
            return o;
        });
        return new CacheEvent(Type.DELETED, gone, last, revision);
    }

    public Type type() {
        return type;
    }

    /** The object after the change (decoded on first use); shared: not to be modified. */
    public ObjectNode object() {
        return object == null ? null : object.object();
    }

    /** The object before the change, or null. */
    public ObjectNode prev() {
        return prev == null ? null : prev.object();
    }

    /** Whether there is an object before the change. */
    public boolean hasPrev() {
        return prev != null;
    }

    public long revision() {
        return revision;
    }

    /**
     * The encoding of this event for the output {@code key} (equal keys must mean equal bytes), computed by
     * the first watcher that asks and shared with the others.
     */
    public byte[] encoded(Object key, Supplier<byte[]> encode) {
        // read without the lock first: a thousand watchers ask for the same line, and only the first encodes it
        byte[] found = find(encodings, key);
        if (found != null) {
            return found;
        }
        synchronized (this) {
            found = find(encodings, key);
            if (found != null) {
                return found;
            }
            byte[] bytes = encode.get();
            Object[] grown = encodings == null ? new Object[2] : java.util.Arrays.copyOf(encodings, encodings.length + 2);
            grown[grown.length - 2] = key;
            grown[grown.length - 1] = bytes;
            encodings = grown; // published whole: readers see the old array or the new one
            return bytes;
        }
    }

    private static byte[] find(Object[] encodings, Object key) {
        if (encodings != null) {
            for (int i = 0; i < encodings.length; i += 2) {
                if (encodings[i] == key || encodings[i].equals(key)) {
                    return (byte[]) encodings[i + 1];
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "CacheEvent[type=" + type + ", revision=" + revision + "]";
    }
}
