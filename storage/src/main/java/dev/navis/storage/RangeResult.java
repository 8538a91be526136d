package dev.navis.storage;

import java.util.List;

/**
 * The answer to a range read.
 *
 * @param kvs      the keys found, in key order
 * @param revision the revision the range was read at (pass it back to continue a limited range)
 * @param more     true when the limit cut the result short
 * @param count    how many keys the whole range held at that revision
 */
public record RangeResult(List<KeyValue> kvs, long revision, boolean more, long count) {
}
