package dev.navis.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reading CRI-format container logs as kubectl logs shows them. */
@Timeout(30)
class CriLogReaderTest {
    private static final String SAMPLE = """
            2026-12-07T10:00:00.000000001Z stdout F first
            2026-12-07T10:00:01.5Z stderr F second, on stderr
            2026-12-07T10:00:02.000000000Z stdout P a long line in
            2026-12-07T10:00:02.100000000Z stdout P  three
            2026-12-07T10:00:02.200000000Z stdout F  pieces
            2026-12-07T10:00:03.000000000Z stdout F last
            """;

    @TempDir
    Path dir;

    private String read(String content, CriLogReader.Options options) throws Exception {
        Path file = dir.resolve("0.log");
        Files.writeString(file, content);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CriLogReader.read(file, options, out, () -> false);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void joinsPartialLinesAndAddsTheNewlineOfFullOnes() throws Exception {
        assertThat(read(SAMPLE, CriLogReader.Options.ALL))
                .isEqualTo("first\nsecond, on stderr\na long line in three pieces\nlast\n");
    }

    @Test
    void tailCountsFileLinesFromTheEnd() throws Exception {
        assertThat(read(SAMPLE, new CriLogReader.Options(1L, null, false, null, false))).isEqualTo("last\n");
        assertThat(read(SAMPLE, new CriLogReader.Options(2L, null, false, null, false))).isEqualTo(" pieces\nlast\n");
        assertThat(read(SAMPLE, new CriLogReader.Options(0L, null, false, null, false))).isEmpty();
        assertThat(read(SAMPLE, new CriLogReader.Options(100L, null, false, null, false)))
                .isEqualTo(read(SAMPLE, CriLogReader.Options.ALL));
        // a file whose last line has no newline yet
        assertThat(read("2026-12-07T10:00:00Z stdout F a\n2026-12-07T10:00:01Z stdout F b",
                new CriLogReader.Options(1L, null, false, null, false))).isEqualTo("b\n");
    }

    @Test
    void sinceSkipsOlderEntries() throws Exception {
        assertThat(read(SAMPLE, new CriLogReader.Options(null, Instant.parse("2026-12-07T10:00:01.5Z"), false, null,
                false))).isEqualTo("second, on stderr\na long line in three pieces\nlast\n");
        assertThat(read(SAMPLE, new CriLogReader.Options(null, Instant.parse("2026-12-07T10:00:02.1Z"), false, null,
                false))).isEqualTo(" three pieces\nlast\n");
    }

    @Test
    void timestampsPrefixEachEntryWithItsTimeAsWritten() throws Exception {
        assertThat(read(SAMPLE, new CriLogReader.Options(2L, null, true, null, false)))
                .isEqualTo("2026-12-07T10:00:02.200000000Z  pieces\n2026-12-07T10:00:03.000000000Z last\n");
    }

    @Test
    void limitBytesCutsTheOutput() throws Exception {
        assertThat(read(SAMPLE, new CriLogReader.Options(null, null, false, 8L, false))).isEqualTo("first\nse");
    }

    @Test
    void skipsLinesThatAreNotCriLogLines() throws Exception {
        assertThat(read("garbage\n2026-12-07T10:00:00Z stdout F ok\nnot-a-time stdout F x\n",
                CriLogReader.Options.ALL)).isEqualTo("ok\n");
    }

    @Test
    void followWaitsForNewLinesAndEndsWhenTheContainerStops() throws Exception {
        Path file = dir.resolve("0.log");
        Files.writeString(file, "2026-12-07T10:00:00Z stdout F one\n");
        AtomicBoolean running = new AtomicBoolean(true);
        PipedInputStream client = new PipedInputStream(64 * 1024);
        PipedOutputStream out = new PipedOutputStream(client);
        Thread reader = Thread.ofVirtual().start(() -> {
            try (out) {
                CriLogReader.read(file, new CriLogReader.Options(null, null, false, null, true), out, running::get);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(readLine(client)).isEqualTo("one");
        append(file, "2026-12-07T10:00:01Z stdout P tw");
        append(file, "o\n2026-12-07T10:00:01Z stdout F \n");
        assertThat(readLine(client)).isEqualTo("two");
        append(file, "2026-12-07T10:00:02Z stdout F three\n");
        running.set(false);
        reader.join();
        assertThat(new String(client.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("three\n");
    }

    @Test
    void followGoesOnInTheNewFileAfterARotation() throws Exception {
        Path file = dir.resolve("0.log");
        Files.writeString(file, "2026-12-07T10:00:00Z stdout F before\n");
        AtomicBoolean running = new AtomicBoolean(true);
        PipedInputStream client = new PipedInputStream(64 * 1024);
        PipedOutputStream out = new PipedOutputStream(client);
        Thread reader = Thread.ofVirtual().start(() -> {
            try (out) {
                CriLogReader.read(file, new CriLogReader.Options(null, null, false, null, true), out, running::get);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(readLine(client)).isEqualTo("before");
        // as the kubelet's log manager rotates: rename, then the runtime reopens the path
        Files.move(file, dir.resolve("0.log.20261207-100001"));
        Files.writeString(file, "2026-12-07T10:00:01Z stdout F after\n");
        assertThat(readLine(client)).isEqualTo("after");
        running.set(false);
        reader.join();
        assertThat(client.readAllBytes()).isEmpty();
    }

    private static void append(Path file, String s) throws IOException {
        Files.writeString(file, s, StandardOpenOption.APPEND);
    }

    private static String readLine(java.io.InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.append((char) c);
        }
        return b.toString();
    }

}
