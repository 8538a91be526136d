package dev.navis.client.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteLinesTest {
    /** Hands out at most {@code chunk} bytes per read, as a network stream does. */
    private static InputStream chunked(String s, int chunk) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static List<String> lines(InputStream in) throws IOException {
        ByteLines lines = new ByteLines(in);
        List<String> out = new ArrayList<>();
        while (lines.next()) {
            out.add(lines.blank() ? "<blank>" : new String(lines.buffer(), lines.offset(), lines.length(),
                    StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void splitsLinesAcrossReadsAndKeepsUtf8() throws IOException {
        assertEquals(List.of("{\"a\":1}", "<blank>", "{\"é\":\"ü\"}", "last"),
                lines(chunked("{\"a\":1}\n \r\n{\"é\":\"ü\"}\nlast", 3)));
    }

    @Test
    void growsForLinesLongerThanItsBuffer() throws IOException {
        String longLine = "x".repeat(200_000);
        assertEquals(List.of(longLine, "y"), lines(chunked(longLine + "\ny\n", 10_000)));
    }

    @Test
    void emptyStreamHasNoLines() throws IOException {
        assertEquals(List.of(), lines(chunked("", 1)));
    }
}
