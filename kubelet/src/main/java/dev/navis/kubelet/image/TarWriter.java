package dev.navis.kubelet.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a POSIX tar stream (ustar headers, pax extended headers for names or link targets that do not
 * fit) — the format of OCI image layers and archives. Entries are written in the order given.
 */
public final class TarWriter implements AutoCloseable {

    private static final int BLOCK = 512;

    private final OutputStream out;
    private long mtimeOverride = -1;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes every entry with this modification time (seconds), for reproducible archives. */
    public TarWriter fixedMtime(long epochSeconds) {
        this.mtimeOverride = epochSeconds;
        return this;
    }

    public void directory(String name, int mode, int uid, int gid, long mtime) throws IOException {
        header(name.endsWith("/") ? name : name + "/", '5', 0, mode, uid, gid, mtime, "");
    }

    public void symlink(String name, String target, int uid, int gid, long mtime) throws IOException {
        header(name, '2', 0, 0777, uid, gid, mtime, target);
    }

    /** A regular file of {@code size} bytes read from {@code content}. */
    public void file(String name, int mode, int uid, int gid, long mtime, long size, InputStream content) throws IOException {
        header(name, '0', size, mode, uid, gid, mtime, "");
        long copied = content.transferTo(new BoundedOutput(out, size));
        if (copied != size) {
            throw new IOException(name + ": expected " + size + " bytes, read " + copied);
        }
        pad(size);
    }

    public void file(String name, int mode, byte[] content) throws IOException {
        file(name, mode, 0, 0, 0, content.length, new java.io.ByteArrayInputStream(content));
    }

    /** The two zero blocks that end an archive; does not close the underlying stream. */
    public void finish() throws IOException {
        out.write(new byte[BLOCK * 2]);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        finish();
    }

    private void header(String name, char type, long size, int mode, int uid, int gid, long mtime, String link) throws IOException {
        long time = mtimeOverride >= 0 ? mtimeOverride : mtime;
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100 || linkBytes.length > 100) {
            StringBuilder pax = new StringBuilder();
            if (nameBytes.length > 100) {
                pax.append(paxRecord("path", name));
            }
            if (linkBytes.length > 100) {
                pax.append(paxRecord("linkpath", link));
            }
            byte[] data = pax.toString().getBytes(StandardCharsets.UTF_8);
            writeHeader(truncate("PaxHeaders/" + name, 100), 'x', data.length, 0644, 0, 0, time, new byte[0]);
            out.write(data);
            pad(data.length);
        }
        writeHeader(truncate(name, 100), type, size, mode, uid, gid, time, truncate(link, 100));
    }

    private void writeHeader(byte[] name, char type, long size, int mode, int uid, int gid, long mtime, byte[] link) throws IOException {
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, name.length);
        octal(h, 100, 8, mode & 07777);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, Math.max(0, mtime));
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        System.arraycopy(link, 0, h, 157, link.length);
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        byte[] root = "root".getBytes(StandardCharsets.US_ASCII);
        if (uid == 0) {
            System.arraycopy(root, 0, h, 265, root.length);
        }
        if (gid == 0) {
            System.arraycopy(root, 0, h, 297, root.length);
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        out.write(h);
    }

    private static String paxRecord(String key, String value) {
        // "<len> <key>=<value>\n" where <len> counts itself
        String body = " " + key + "=" + value + "\n";
        int bodyLen = body.getBytes(StandardCharsets.UTF_8).length;
        int len = bodyLen + String.valueOf(bodyLen).length();
        if (String.valueOf(len).length() != String.valueOf(bodyLen).length()) {
            len = bodyLen + String.valueOf(len).length();
        }
        return len + body;
    }

    private static byte[] truncate(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length <= max ? b : Arrays.copyOf(b, max);
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("value " + value + " does not fit a tar header field");
        }
        String padded = "0".repeat(len - 1 - s.length()) + s;
        byte[] b = padded.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
        h[off + len - 1] = 0;
    }

    private void pad(long size) throws IOException {
        int rem = (int) (size % BLOCK);
        if (rem != 0) {
            out.write(new byte[BLOCK - rem]);
        }
    }

    /** Stops a runaway copy at the declared size. */
    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private long remaining;

        BoundedOutput(OutputStream out, long limit) {
            this.out = out;
            this.remaining = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (remaining-- <= 0) {
                throw new IOException("file grew while being archived");
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > remaining) {
                throw new IOException("file grew while being archived");
            }
            remaining -= len;
            out.write(b, off, len);
        }
    }
}
