package dev.navis.apiserver.rest;

import java.util.ArrayList;
import java.util.List;

/**
 * Joins byte pieces into arrays of at most a chunk size each (a larger piece gets an array of its own), each of its
 * exact size. A large answer (a LIST of 10,000 pods is ~15 MiB) written as such chunks needs no single array above
 * G1's humongous threshold (half a region: 1 MiB with this heap's 2 MiB regions): a humongous array per LIST started
 * concurrent collections of the whole heap, which cost more CPU than the LIST itself.
 */
final class ByteChunks {
    /** A chunk size well under the humongous threshold of the smallest G1 region (1 MiB: 512 KiB). */
    static final int DEFAULT_CHUNK = 256 * 1024;

    private final int chunkSize;
    private final List<byte[]> chunks = new ArrayList<>();
    private final List<byte[]> pending = new ArrayList<>();
    private int pendingSize;
    private long total;

    ByteChunks(int chunkSize) {
        this.chunkSize = chunkSize;
    }

    ByteChunks add(byte[] piece) {
        if (pendingSize > 0 && pendingSize + piece.length > chunkSize) {
            flush();
        }
        pending.add(piece);
        pendingSize += piece.length;
        total += piece.length;
        return this;
    }

    /** The chunks of every piece added, in order. */
    List<byte[]> chunks() {
        flush();
        return chunks;
    }

    /** The bytes added in all. */
    long size() {
        return total;
    }

    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        byte[] chunk = pending.size() == 1 ? pending.getFirst() : new byte[pendingSize];
        if (pending.size() > 1) {
            int at = 0;
            for (byte[] p : pending) {
                System.arraycopy(p, 0, chunk, at, p.length);
                at += p.length;
            }
        }
        chunks.add(chunk);
        pending.clear();
        pendingSize = 0;
    }
}
