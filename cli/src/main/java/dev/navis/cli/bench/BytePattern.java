package dev.navis.cli.bench;

import java.util.Arrays;

/**
 * A byte string searched for in answers the load generator scans (Horspool's skip over the last byte of each
 * window): the generator checks every item of a 15 MiB LIST, and a byte-by-byte search for a pattern that
 * starts with '"' took a third of the samples of a LIST phase, slowing the reading side it measures.
 */
final class BytePattern {
    private final byte[] pattern;
    /** How far the window may move when its last byte is b (index b &amp; 0xff). */
    private final int[] skip = new int[256];

    BytePattern(byte[] pattern) {
        if (pattern.length == 0) {
            throw new IllegalArgumentException("empty pattern");
        }
        this.pattern = pattern.clone();
        Arrays.fill(skip, pattern.length);
        for (int i = 0; i < pattern.length - 1; i++) {
            skip[pattern[i] & 0xff] = pattern.length - 1 - i;
        }
    }

    int length() {
        return pattern.length;
    }

    /** Where the pattern starts in bytes[offset, offset + length), or -1. */
    int find(byte[] bytes, int offset, int length) {
        int m = pattern.length;
        byte last = pattern[m - 1];
        int end = offset + length;
        for (int i = offset + m - 1; i < end; i += skip[bytes[i] & 0xff]) {
            if (bytes[i] == last && matchesBefore(bytes, i - m + 1)) {
                return i - m + 1;
            }
        }
        return -1;
    }

    /** Whether the pattern but its last byte is at {@code start}: compared backwards, by hand (a JSON pattern's
     * last byte is often '"', found everywhere, and a library call per such byte cost more than the search). */
    private boolean matchesBefore(byte[] bytes, int start) {
        for (int j = pattern.length - 2; j >= 0; j--) {
            if (bytes[start + j] != pattern[j]) {
                return false;
            }
        }
        return true;
    }
}
