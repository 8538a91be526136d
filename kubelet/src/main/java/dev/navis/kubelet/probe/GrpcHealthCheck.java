package dev.navis.kubelet.probe;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The grpc probe: one {@code grpc.health.v1.Health/Check} call over cleartext HTTP/2 (prior knowledge), as
 * upstream's pkg/probe/grpc. Only what a health check needs is spoken: request headers as HPACK literals
 * without Huffman coding, one DATA frame, and the answer's HealthCheckResponse.status read from the DATA
 * frame (1 = SERVING), so response headers never need decoding.
 */
final class GrpcHealthCheck {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String[] STATUS = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
    private static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7;

    private GrpcHealthCheck() {
    }

    static Prober.Result check(String host, int port, String service, Duration timeout) {
        String target = Prober.hostPort(host, port);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(PREFACE);
            frame(out, SETTINGS, 0, 0, new byte[0]);
            frame(out, HEADERS, 0x4, 1, requestHeaders(target));
            frame(out, DATA, 0x1, 1, grpcMessage(service));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                if (type == SETTINGS && (flags & 0x1) == 0) {
                    frame(out, SETTINGS, 0x1, 0, new byte[0]);
                    out.flush();
                } else if (type == PING && (flags & 0x1) == 0) {
                    frame(out, PING, 0x1, 0, payload);
                    out.flush();
                } else if (type == DATA && stream == 1) {
                    int status = servingStatus(payload, flags);
                    String name = status >= 0 && status < STATUS.length ? STATUS[status] : Integer.toString(status);
                    return status == 1 ? Prober.Result.ok("") : Prober.Result.fail(
                            "service unhealthy (responded with \"" + name + "\")");
                } else if ((type == HEADERS && stream == 1 && (flags & 0x1) != 0) || (type == RST_STREAM && stream == 1)
                        || type == GOAWAY) {
                    return Prober.Result.fail("rpc error: health check to " + target + " ended without a response");
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return Prober.Result.fail("timeout: health rpc did not complete within " + timeout.toMillis() + "ms");
        } catch (IOException e) {
            return Prober.Result.fail("timeout: failed to connect service \"" + target + "\" within "
                    + timeout.toMillis() + "ms: " + e.getMessage());
        }
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(new byte[] {(byte) (payload.length >> 16), (byte) (payload.length >> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream});
        out.write(payload);
    }

    private static byte[] requestHeaders(String authority) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x83); // :method POST (static table 3)
        b.write(0x86); // :scheme http (static table 6)
        literalIndexedName(b, 0x04, "/grpc.health.v1.Health/Check"); // :path (static 4)
        literalIndexedName(b, 0x01, authority); // :authority (static 1)
        b.write(0x0f); // content-type (static 31 = 15 + 16), literal without indexing
        b.write(0x10);
        string(b, "application/grpc");
        b.write(0x00); // te: literal with a new name
        string(b, "te");
        string(b, "trailers");
        return b.toByteArray();
    }

    private static void literalIndexedName(ByteArrayOutputStream b, int index, String value) {
        b.write(index); // literal without indexing, name index < 15 fits the 4-bit prefix
        string(b, value);
    }

    private static void string(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int len = bytes.length;
        if (len < 127) {
            b.write(len);
        } else {
            b.write(127);
            len -= 127;
            while (len >= 128) {
                b.write((len & 0x7f) | 0x80);
                len >>= 7;
            }
            b.write(len);
        }
        b.writeBytes(bytes);
    }

    /** HealthCheckRequest{service = 1} in a gRPC length-prefixed message. */
    private static byte[] grpcMessage(String service) {
        ByteArrayOutputStream proto = new ByteArrayOutputStream();
        if (!service.isEmpty()) {
            proto.write(0x0a);
            byte[] s = service.getBytes(StandardCharsets.UTF_8);
            proto.write(s.length); // service names are short
            proto.writeBytes(s);
        }
        byte[] p = proto.toByteArray();
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        msg.write(0);
        msg.write(p.length >> 24);
        msg.write(p.length >> 16);
        msg.write(p.length >> 8);
        msg.write(p.length);
        msg.writeBytes(p);
        return msg.toByteArray();
    }

    /** HealthCheckResponse.status (field 1, varint) of the DATA payload; 0 when absent (proto3 default). */
    private static int servingStatus(byte[] payload, int flags) {
        int offset = (flags & 0x8) != 0 ? 1 + (payload[0] & 0xff) : 0; // PADDED
        int i = offset + 5;
        while (i < payload.length) {
            int tag = payload[i++] & 0xff;
            if (tag == 0x08) {
                int value = 0, shift = 0;
                while (i < payload.length) {
                    int b = payload[i++] & 0xff;
                    value |= (b & 0x7f) << shift;
                    if ((b & 0x80) == 0) {
                        break;
                    }
                    shift += 7;
                }
                return value;
            }
            return 0;
        }
        return 0;
    }
}
