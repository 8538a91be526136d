package dev.navis.kubelet.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The server side of a SPDY/3 session (the framing Kubernetes' streaming protocols run over, as Go's spdystream
 * speaks it), over blocking streams: reads frames, answers each client stream (SYN_STREAM) with a SYN_REPLY, echoes
 * PINGs, and writes DATA frames. Flow control is not enforced (spdystream does not either).
 *
 * <p>Header blocks are zlib-compressed with SPDY/3's dictionary, one compression context per direction for the
 * whole session, as the draft specifies.
 */
final class SpdyConnection implements AutoCloseable {
    static final int VERSION = 3;
    static final int SYN_STREAM = 1;
    static final int SYN_REPLY = 2;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int PING = 6;
    static final int GOAWAY = 7;
    static final int HEADERS = 8;
    static final int WINDOW_UPDATE = 9;
    static final int FLAG_FIN = 0x01;
    private static final int MAX_FRAME = 16 * 1024 * 1024;
    private static final byte[] DICTIONARY = loadDictionary();

    /** What the session's reader reports. */
    interface Handler {
        /** A client stream opened, with its (lower-case) headers; it is already answered with SYN_REPLY. */
        void onStream(int streamId, Map<String, String> headers, boolean fin) throws IOException;

        /** Data on a stream; {@code fin} when the client closed its side. */
        void onData(int streamId, byte[] data, boolean fin) throws IOException;

        /** The client reset a stream. */
        void onReset(int streamId);
    }

    private final DataInputStream in;
    private final OutputStream out;
    private final Inflater inflater = new Inflater();
    private final Deflater deflater = new Deflater();
    private final Object writeLock = new Object();

    SpdyConnection(InputStream in, OutputStream out) {
        this.in = new DataInputStream(in);
        this.out = out;
        deflater.setDictionary(DICTIONARY);
    }

    /** Reads frames until the client goes away, handing streams and data to {@code handler}. */
    void serve(Handler handler) throws IOException {
        while (true) {
            int first;
            try {
                first = in.readInt();
            } catch (java.io.EOFException e) {
                return;
            }
            int flagsAndLength = in.readInt();
            int flags = flagsAndLength >>> 24;
            int length = flagsAndLength & 0xFFFFFF;
            if (length > MAX_FRAME) {
                throw new IOException("SPDY frame too large: " + length);
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            if (first >= 0) { // control bit clear: a data frame
                handler.onData(first & 0x7FFFFFFF, payload, (flags & FLAG_FIN) != 0);
                continue;
            }
            int type = first & 0xFFFF;
            ByteBuffer p = ByteBuffer.wrap(payload);
            switch (type) {
                case SYN_STREAM -> {
                    int streamId = p.getInt() & 0x7FFFFFFF;
                    p.getInt(); // associated stream
                    p.getShort(); // priority, slot
                    byte[] block = new byte[p.remaining()];
                    p.get(block);
                    Map<String, String> headers = decodeHeaders(block);
                    reply(streamId);
                    handler.onStream(streamId, headers, (flags & FLAG_FIN) != 0);
                }
                case RST_STREAM -> handler.onReset(p.getInt() & 0x7FFFFFFF);
                case PING -> {
                    synchronized (writeLock) {
                        writeControl(PING, 0, payload);
                    }
                }
                case GOAWAY -> {
                    return;
                }
                case HEADERS -> {
                    p.getInt();
                    byte[] block = new byte[p.remaining()];
                    p.get(block);
                    decodeHeaders(block); // keeps the shared compression context in step
                }
                default -> {
                    // SETTINGS, WINDOW_UPDATE and others need no answer here
                }
            }
        }
    }

    /** Sends data on a stream; {@code fin} closes this side of it. */
    void data(int streamId, byte[] data, int offset, int length, boolean fin) throws IOException {
        synchronized (writeLock) {
            ByteBuffer head = ByteBuffer.allocate(8);
            head.putInt(streamId & 0x7FFFFFFF);
            head.putInt(((fin ? FLAG_FIN : 0) << 24) | length);
            out.write(head.array());
            out.write(data, offset, length);
            out.flush();
        }
    }

    /** Resets a stream (status 5 = CANCEL). */
    void reset(int streamId) throws IOException {
        ByteBuffer p = ByteBuffer.allocate(8).putInt(streamId).putInt(5);
        synchronized (writeLock) {
            writeControl(RST_STREAM, 0, p.array());
        }
    }

    /** Tells the client no more streams will be accepted (status 0 = OK). */
    void goAway(int lastStreamId) throws IOException {
        ByteBuffer p = ByteBuffer.allocate(8).putInt(lastStreamId).putInt(0);
        synchronized (writeLock) {
            writeControl(GOAWAY, 0, p.array());
        }
    }

    private void reply(int streamId) throws IOException {
        synchronized (writeLock) {
            byte[] block = encodeHeaders(Map.of());
            ByteBuffer p = ByteBuffer.allocate(4 + block.length).putInt(streamId).put(block);
            writeControl(SYN_REPLY, 0, p.array());
        }
    }

    private void writeControl(int type, int flags, byte[] payload) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(8);
        head.putInt(0x80000000 | (VERSION << 16) | type);
        head.putInt((flags << 24) | payload.length);
        out.write(head.array());
        out.write(payload);
        out.flush();
    }

    private Map<String, String> decodeHeaders(byte[] compressed) throws IOException {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        inflater.setInput(compressed);
        byte[] buf = new byte[4096];
        try {
            while (true) {
                int n = inflater.inflate(buf);
                if (n > 0) {
                    plain.write(buf, 0, n);
                    continue;
                }
                if (inflater.needsDictionary()) {
                    inflater.setDictionary(DICTIONARY);
                    continue;
                }
                if (inflater.needsInput() || inflater.finished()) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw new IOException("bad SPDY header block: " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(plain.toByteArray());
        Map<String, String> headers = new LinkedHashMap<>();
        int pairs = b.getInt();
        for (int i = 0; i < pairs; i++) {
            byte[] name = new byte[b.getInt()];
            b.get(name);
            byte[] value = new byte[b.getInt()];
            b.get(value);
            headers.put(new String(name, StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT),
                    new String(value, StandardCharsets.UTF_8));
        }
        return headers;
    }

    private byte[] encodeHeaders(Map<String, String> headers) {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        ByteBuffer count = ByteBuffer.allocate(4).putInt(headers.size());
        plain.writeBytes(count.array());
        headers.forEach((k, v) -> {
            byte[] name = k.getBytes(StandardCharsets.UTF_8);
            byte[] value = v.getBytes(StandardCharsets.UTF_8);
            plain.writeBytes(ByteBuffer.allocate(4).putInt(name.length).array());
            plain.writeBytes(name);
            plain.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
            plain.writeBytes(value);
        });
        deflater.setInput(plain.toByteArray());
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        do {
            n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            compressed.write(buf, 0, n);
        } while (n == buf.length);
        return compressed.toByteArray();
    }

    @Override
    public void close() {
        inflater.end();
        deflater.end();
    }

    private static byte[] loadDictionary() {
        try (InputStream in = SpdyConnection.class.getResourceAsStream("spdy3-header-dictionary.bin")) {
            if (in == null) {
                throw new IllegalStateException("SPDY/3 header dictionary missing from the kubelet's resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
