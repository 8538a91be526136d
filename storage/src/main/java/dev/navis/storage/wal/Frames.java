package dev.navis.storage.wal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The framing of every record on disk (log segments and snapshots):
 * <pre>
 *   int length    payload bytes, > 0 (a 0 marks the end: files are preallocated with zeros)
 *   int crc32c    of the payload
 *   byte[length]  payload
 * </pre>
 * A frame whose length runs past the data or whose checksum does not match is a torn write.
 */
public final class Frames {
    public static final int HEADER = 8;
    /** Larger than any record the store writes; a bigger length is garbage. */
    public static final int MAX_PAYLOAD = 64 << 20;

    private Frames() {
    }

    /** Reserves a header at the buffer's position; returns where the frame starts. */
    public static int begin(ByteBuffer out) {
        int start = out.position();
        out.position(start + HEADER);
        return start;
    }

    /** Fills in the header of the frame that began at {@code start} and whose payload ends at the position. */
    public static void end(ByteBuffer out, int start) {
        int end = out.position();
        int length = end - start - HEADER;
        out.putInt(start, length);
        out.putInt(start + 4, crc(out, start + HEADER, length));
    }

    /**
     * Reads the frame at the buffer's position: on success returns its payload (a slice) and moves past it;
     * returns null at the end of the data or at a torn frame, leaving the position at the frame's start.
     */
    public static ByteBuffer next(ByteBuffer in) {
        int start = in.position();
        if (in.remaining() < HEADER) {
            return null;
        }
        int length = in.getInt(start);
        if (length <= 0 || length > MAX_PAYLOAD || length > in.remaining() - HEADER) {
            return null;
        }
        int expected = in.getInt(start + 4);
        if (crc(in, start + HEADER, length) != expected) {
            return null;
        }
        ByteBuffer payload = in.slice(start + HEADER, length);
        in.position(start + HEADER + length);
        return payload;
    }

    private static int crc(ByteBuffer buf, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(offset, length));
        return (int) crc.getValue();
    }
}
