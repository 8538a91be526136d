package dev.navis.kubelet.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Reads a container log in the CRI format and writes what {@code kubectl logs} shows, as upstream's kuberuntime
 * ReadLogs. Each line of the file is {@code <RFC3339Nano time> <stdout|stderr> <P|F> <content>}: {@code F} ends a
 * line (the reader adds the newline the runtime stripped), {@code P} is a piece of a longer one.
 *
 * <ul>
 *   <li>{@code tailLines}: starts at the N-th line from the end of the file (file lines, as upstream counts);</li>
 *   <li>{@code since}: skips entries older than that instant;</li>
 *   <li>{@code timestamps}: prefixes each entry with its time as the file holds it;</li>
 *   <li>{@code limitBytes}: stops after that many bytes of output;</li>
 *   <li>{@code follow}: at the end of the file waits for more, reopens the file when the runtime rotated it, and
 *       ends once the container no longer runs and everything it wrote was read (or the client went away).</li>
 * </ul>
 */
public final class CriLogReader {
    /** What to read; null fields are unset. */
    public record Options(Long tailLines, Instant since, boolean timestamps, Long limitBytes, boolean follow) {
        public static final Options ALL = new Options(null, null, false, null, false);
    }

    /** How often a follow looks for new lines. */
    static final Duration POLL = Duration.ofMillis(100);
    private static final int BLOCK = 8192;

    private CriLogReader() {
    }

    /**
     * Writes the log at {@code file} to {@code out} as {@code options} ask.
     *
     * @param running whether the container may still write to the log; a follow ends once this is false and the
     *                file has nothing more to read
     */
    public static void read(Path file, Options options, OutputStream out, BooleanSupplier running)
            throws IOException, InterruptedException {
        Output output = new Output(out, options);
        RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
        Object fileKey = fileKey(file);
        try {
            long start = options.tailLines() == null ? 0 : tailStart(raf, options.tailLines());
            raf.seek(start);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] block = new byte[BLOCK];
            while (true) {
                int n = raf.read(block);
                if (n > 0) {
                    for (int i = 0; i < n; i++) {
                        if (block[i] == '\n') {
                            if (!output.entry(line.toByteArray())) {
                                return;
                            }
                            line.reset();
                        } else {
                            line.write(block[i]);
                        }
                    }
                    continue;
                }
                // end of the file as it is now
                if (!options.follow()) {
                    if (line.size() > 0) {
                        output.entry(line.toByteArray()); // a last line without its newline
                    }
                    output.flush();
                    return;
                }
                output.flush();
                Object current = fileKeyOrNull(file);
                if (current != null && !current.equals(fileKey)) {
                    // rotated: the old file is read to its end; go on with the new one from its start
                    raf.close();
                    raf = new RandomAccessFile(file.toFile(), "r");
                    fileKey = current;
                    continue;
                }
                if (!running.getAsBoolean()) {
                    // one last look: lines written between the read and the check
                    if (raf.length() > raf.getFilePointer()) {
                        continue;
                    }
                    if (line.size() > 0) {
                        output.entry(line.toByteArray());
                        output.flush();
                    }
                    return;
                }
                Thread.sleep(POLL.toMillis());
            }
        } finally {
            raf.close();
        }
    }

    /** The offset of the {@code lines}-th line from the end (upstream's FindTailLineStartIndex). */
    static long tailStart(RandomAccessFile raf, long lines) throws IOException {
        long size = raf.length();
        if (lines == 0) {
            return size;
        }
        long pos = size;
        long seen = 0;
        byte[] block = new byte[BLOCK];
        boolean skipLastNewline = true;
        while (pos > 0) {
            int len = (int) Math.min(BLOCK, pos);
            pos -= len;
            raf.seek(pos);
            raf.readFully(block, 0, len);
            for (int i = len - 1; i >= 0; i--) {
                if (block[i] != '\n') {
                    skipLastNewline = false;
                    continue;
                }
                if (skipLastNewline && pos + i == size - 1) {
                    continue; // the newline that ends the last line
                }
                if (++seen == lines) {
                    return pos + i + 1;
                }
            }
        }
        return 0;
    }

    /** Formats entries and counts bytes against limitBytes. */
    private static final class Output {
        private final OutputStream out;
        private final Options options;
        private long remaining;

        Output(OutputStream out, Options options) {
            this.out = out;
            this.options = options;
            this.remaining = options.limitBytes() == null ? Long.MAX_VALUE : options.limitBytes();
        }

        /** Writes one file line's entry; false once limitBytes is reached. */
        boolean entry(byte[] raw) throws IOException {
            Entry e = Entry.parse(raw);
            if (e == null) {
                return true; // upstream skips lines it cannot parse
            }
            if (options.since() != null && e.time().isBefore(options.since())) {
                return true;
            }
            ByteArrayOutputStream text = new ByteArrayOutputStream(raw.length + 1);
            if (options.timestamps()) {
                text.writeBytes(e.timeText().getBytes(StandardCharsets.US_ASCII));
                text.write(' ');
            }
            text.write(raw, e.contentOffset(), raw.length - e.contentOffset());
            if (!e.partial()) {
                text.write('\n');
            }
            byte[] bytes = text.toByteArray();
            if (bytes.length >= remaining) {
                out.write(bytes, 0, (int) remaining);
                remaining = 0;
                out.flush();
                return false;
            }
            out.write(bytes);
            remaining -= bytes.length;
            return true;
        }

        void flush() throws IOException {
            out.flush();
        }
    }

    /** One parsed CRI log line: its time, whether it is partial, and where its content starts. */
    record Entry(Instant time, String timeText, String stream, boolean partial, int contentOffset) {
        static Entry parse(byte[] raw) {
            int first = indexOf(raw, (byte) ' ', 0);
            if (first < 0) {
                return null;
            }
            int second = indexOf(raw, (byte) ' ', first + 1);
            if (second < 0) {
                return null;
            }
            String timeText = new String(raw, 0, first, StandardCharsets.US_ASCII);
            String stream = new String(raw, first + 1, second - first - 1, StandardCharsets.US_ASCII);
            if (!stream.equals("stdout") && !stream.equals("stderr")) {
                return null;
            }
            Instant time;
            try {
                time = OffsetDateTime.parse(timeText).toInstant();
            } catch (DateTimeParseException e) {
                return null;
            }
            // the tag field (P or F) came with CRI's partial-line support; older runtimes wrote none
            int third = indexOf(raw, (byte) ' ', second + 1);
            String tag = third < 0 ? new String(raw, second + 1, raw.length - second - 1, StandardCharsets.US_ASCII)
                    : new String(raw, second + 1, third - second - 1, StandardCharsets.US_ASCII);
            if (tag.equals("P") || tag.equals("F")) {
                int offset = third < 0 ? raw.length : third + 1;
                return new Entry(time, timeText, stream, tag.equals("P"), offset);
            }
            return new Entry(time, timeText, stream, false, second + 1);
        }

        private static int indexOf(byte[] raw, byte b, int from) {
            for (int i = from; i < raw.length; i++) {
                if (raw[i] == b) {
                    return i;
                }
            }
            return -1;
        }
    }

    private static Object fileKey(Path file) throws IOException {
        return Objects.requireNonNullElse(Files.readAttributes(file, BasicFileAttributes.class).fileKey(), file);
    }

    private static Object fileKeyOrNull(Path file) {
        try {
            return fileKey(file);
        } catch (NoSuchFileException e) {
            return null; // between the rotation's rename and the new file
        } catch (IOException e) {
            return null;
        }
    }
}
