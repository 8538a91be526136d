package dev.navis.client.rest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Newline-separated records read from a stream as bytes: the JSON parser then reads UTF-8 straight from the
 * buffer, without decoding each line into a String first.
 */
final class ByteLines {
    private final InputStream in;
    private byte[] buf = new byte[64 * 1024];
    /** The unread bytes are buf[start, end). */
    private int start;
    private int end;
    /** Bytes of buf[start, end) already known to hold no newline. */
    private int scanned;
    private int lineStart;
    private int lineLength;

    ByteLines(InputStream in) {
        this.in = in;
    }

    /** Advances to the next line (without its newline); false at the end of the stream. */
    boolean next() throws IOException {
        while (true) {
            for (int i = start + scanned; i < end; i++) {
                if (buf[i] == '\n') {
                    lineStart = start;
                    lineLength = i - start;
                    start = i + 1;
                    scanned = 0;
                    return true;
                }
            }
            scanned = end - start;
            if (!fill()) {
                if (end > start) { // a last line without a newline
                    lineStart = start;
                    lineLength = end - start;
                    start = end;
                    scanned = 0;
                    return true;
                }
                return false;
            }
        }
    }

    byte[] buffer() {
        return buf;
    }

    int offset() {
        return lineStart;
    }

    int length() {
        return lineLength;
    }

    /** The current line holds only whitespace. */
    boolean blank() {
        for (int i = lineStart; i < lineStart + lineLength; i++) {
            byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private boolean fill() throws IOException {
        if (start > 0) { // keep the partial line at the front
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            return false;
        }
        end += n;
        return true;
    }
}
