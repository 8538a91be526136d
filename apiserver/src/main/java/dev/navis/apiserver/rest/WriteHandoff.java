package dev.navis.apiserver.rest;

import dev.navis.storage.KeyValue;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * Trees of writes in flight, handed from the writer to the watch cache so that it need not parse the bytes the
 * writer has just encoded. The writer offers its tree before the store write: the tree itself when it promises
 * not to modify it any more (then it has a resourceVersion member already, which the cache only replaces), else a
 * private copy; the cache takes it for the event whose stored bytes are exactly the bytes the tree was encoded
 * into, else decodes as usual. So the cache gets a tree no one modifies. Bounded: past {@code capacity} entries (writes
 * whose events the cache never took, e.g. while it re-lists) it starts over.
 */
final class WriteHandoff {
    /** Compared by identity (a record's equality would let one write withdraw another's equal offer). */
    private static final class Offer {
        final byte[] stored;
        final ObjectNode tree;

        Offer(byte[] stored, ObjectNode tree) {
            this.stored = stored;
            this.tree = tree;
        }
    }

    private final ConcurrentHashMap<String, Offer> offers = new ConcurrentHashMap<>();
    private final int capacity;

    WriteHandoff(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Offers {@code object} (whose encoding is {@code stored}) for the event of its write at {@code key}: itself
     * when {@code handOver} and its nodes are those a decode gives, else a copy. The returned token withdraws it
     * when the write fails. Null: nothing offered.
     */
    Object offer(String key, byte[] stored, ObjectNode object, boolean handOver) {
        ObjectNode copy;
        if (handOver && Json.isParsedForm(object)) {
            copy = object;
        } else if (Json.asParsed(object) instanceof ObjectNode c) {
            copy = c;
        } else {
            return null;
        }
        if (offers.size() >= capacity) {
            offers.clear();
        }
        Offer o = new Offer(stored, copy);
        offers.put(key, o);
        return o;
    }

    /** Withdraws an offer whose write did not happen. */
    void withdraw(String key, Object token) {
        if (token != null) {
            offers.remove(key, token);
        }
    }

    /** The offered tree of the write stored at {@code kv} (to keep), or null: decode it. */
    ObjectNode take(KeyValue kv) {
        Offer o = offers.remove(kv.key());
        if (o == null || (o.stored != kv.value() && !Arrays.equals(o.stored, kv.value()))) {
            return null;
        }
        return o.tree;
    }

    int size() {
        return offers.size();
    }
}
