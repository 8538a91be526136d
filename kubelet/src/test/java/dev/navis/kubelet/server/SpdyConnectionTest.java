package dev.navis.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SPDY/3 session against frames a client writes as Go's spdystream does (zlib header blocks with the dictionary). */
@Timeout(30)
class SpdyConnectionTest {
    /** SHA-256 of the 1423-byte header dictionary of SPDY/3 (draft 3, section 2.6.10.1). */
    private static final String DICTIONARY_SHA256 = "51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02";

    private static byte[] dictionary() throws IOException {
        try (InputStream in = SpdyConnection.class.getResourceAsStream("spdy3-header-dictionary.bin")) {
            return in.readAllBytes();
        }
    }

    @Test
    void theHeaderDictionaryIsSpdy3s() throws Exception {
        byte[] d = dictionary();
        assertThat(d).hasSize(1423);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(d))).isEqualTo(DICTIONARY_SHA256);
    }

    @Test
    void answersStreamsWithRepliesEchoesPingsAndCarriesData() throws Exception {
        PipedOutputStream clientOut = new PipedOutputStream();
        PipedInputStream serverIn = new PipedInputStream(clientOut, 1 << 16);
        PipedOutputStream serverOut = new PipedOutputStream();
        DataInputStream clientIn = new DataInputStream(new PipedInputStream(serverOut, 1 << 16));
        List<String> events = new CopyOnWriteArrayList<>();
        SpdyConnection server = new SpdyConnection(serverIn, serverOut);
        Thread serving = Thread.ofVirtual().start(() -> {
            try {
                server.serve(new SpdyConnection.Handler() {
                    @Override
                    public void onStream(int id, Map<String, String> headers, boolean fin) {
                        events.add("stream " + id + " " + headers);
                    }

                    @Override
                    public void onData(int id, byte[] data, boolean fin) throws IOException {
                        events.add("data " + id + " " + new String(data, StandardCharsets.UTF_8) + (fin ? " fin" : ""));
                        server.data(id, data, 0, data.length, fin); // echo
                    }

                    @Override
                    public void onReset(int id) {
                        events.add("reset " + id);
                    }
                });
            } catch (IOException e) {
                events.add("error " + e);
            }
        });
        Deflater deflater = new Deflater();
        deflater.setDictionary(dictionary());
        Inflater inflater = new Inflater();

        // two streams: the second header block depends on the first (one compression context per direction)
        clientOut.write(synStream(1, Map.of("streamtype", "error"), deflater));
        clientOut.write(synStream(3, Map.of("streamtype", "stdout", "port", "8080"), deflater));
        assertThat(readReply(clientIn, inflater)).isEqualTo(1);
        assertThat(readReply(clientIn, inflater)).isEqualTo(3);

        clientOut.write(control(6, 0, ByteBuffer.allocate(4).putInt(7).array()));
        int[] ping = readFrameHead(clientIn);
        assertThat(ping[0]).isEqualTo(0x80000000 | (3 << 16) | 6);
        assertThat(clientIn.readInt()).isEqualTo(7);

        clientOut.write(dataFrame(3, "hello", true));
        int[] data = readFrameHead(clientIn);
        assertThat(data[0]).isEqualTo(3);
        assertThat(data[1] >>> 24).isEqualTo(1); // FIN
        byte[] payload = new byte[data[1] & 0xFFFFFF];
        clientIn.readFully(payload);
        assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("hello");

        clientOut.write(control(7, 0, ByteBuffer.allocate(8).putInt(3).putInt(0).array())); // GOAWAY
        serving.join();
        assertThat(events).containsExactly("stream 1 {streamtype=error}", events.get(1), "data 3 hello fin");
        assertThat(events.get(1)).startsWith("stream 3 ").contains("streamtype=stdout").contains("port=8080");
        server.close();
    }

    private static byte[] synStream(int id, Map<String, String> headers, Deflater deflater) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.writeBytes(ByteBuffer.allocate(4).putInt(headers.size()).array());
        headers.forEach((k, v) -> {
            block.writeBytes(ByteBuffer.allocate(4).putInt(k.length()).array());
            block.writeBytes(k.getBytes(StandardCharsets.UTF_8));
            block.writeBytes(ByteBuffer.allocate(4).putInt(v.length()).array());
            block.writeBytes(v.getBytes(StandardCharsets.UTF_8));
        });
        deflater.setInput(block.toByteArray());
        byte[] buf = new byte[4096];
        int n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
        ByteBuffer p = ByteBuffer.allocate(10 + n).putInt(id).putInt(0).putShort((short) 0).put(buf, 0, n);
        return control(1, 0, p.array());
    }

    private static byte[] control(int type, int flags, byte[] payload) {
        return ByteBuffer.allocate(8 + payload.length).putInt(0x80000000 | (3 << 16) | type)
                .putInt((flags << 24) | payload.length).put(payload).array();
    }

    private static byte[] dataFrame(int id, String text, boolean fin) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + data.length).putInt(id).putInt(((fin ? 1 : 0) << 24) | data.length).put(data)
                .array();
    }

    private static int[] readFrameHead(DataInputStream in) throws IOException {
        return new int[] {in.readInt(), in.readInt()};
    }

    /** Reads a SYN_REPLY, checks its (empty) header block decompresses, returns its stream ID. */
    private int readReply(DataInputStream in, Inflater inflater) throws Exception {
        int[] head = readFrameHead(in);
        assertThat(head[0]).isEqualTo(0x80000000 | (3 << 16) | 2);
        byte[] payload = new byte[head[1] & 0xFFFFFF];
        in.readFully(payload);
        ByteBuffer p = ByteBuffer.wrap(payload);
        int id = p.getInt();
        inflater.setInput(payload, 4, payload.length - 4);
        byte[] plain = new byte[64];
        int n = inflater.inflate(plain);
        if (n == 0 && inflater.needsDictionary()) {
            inflater.setDictionary(dictionary());
            n = inflater.inflate(plain);
        }
        assertThat(n).isEqualTo(4);
        assertThat(ByteBuffer.wrap(plain).getInt()).isZero(); // no headers
        return id;
    }
}
