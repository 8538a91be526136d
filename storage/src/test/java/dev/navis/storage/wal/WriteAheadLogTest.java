package dev.navis.storage.wal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class WriteAheadLogTest {
    private Path dir;

    /** A record holding a string; its revision is its number. */
    record Text(long revision, String text) implements WriteAheadLog.Entry {
        @Override
        public void encode(ByteBuffer out) {
            out.put(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int maxEncodedSize() {
            return text.length() * 3;
        }
    }

    private List<String> replayed = new ArrayList<>();

    private WriteAheadLog open(long segmentBytes) {
        replayed = new ArrayList<>();
        return WriteAheadLog.open(dir, segmentBytes, 1, (seq, payload) -> {
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            replayed.add(seq + ":" + new String(b, StandardCharsets.UTF_8));
        }, rev -> { });
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void recordsSurviveReopenAcrossSegments() throws Exception {
        dir = Files.createTempDirectory("navis-wal-");
        try (WriteAheadLog wal = open(300)) {
            for (int i = 1; i <= 50; i++) {
                wal.await(wal.append(new Text(i, "record-" + i)));
            }
        }
        assertThat(WriteAheadLog.segmentStarts(dir)).hasSizeGreaterThan(2);
        try (WriteAheadLog wal = open(300)) {
            assertThat(replayed).hasSize(50).startsWith("1:record-1").endsWith("50:record-50");
            wal.await(wal.append(new Text(51, "record-51")));
            wal.dropBefore(40);
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 300, 40, (seq, p) -> replayed.add("" + seq), r -> { })) {
            assertThat(wal.nextSequence()).isEqualTo(52);
        }
    }

    @Test
    void aTornTailIsCutAndOverwritten() throws Exception {
        dir = Files.createTempDirectory("navis-wal-");
        try (WriteAheadLog wal = open(1 << 20)) {
            for (int i = 1; i <= 10; i++) {
                wal.await(wal.append(new Text(i, "record-" + i)));
            }
        }
        Path segment = WriteAheadLog.segmentPath(dir, 1);
        long end;
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            // find the end of the data (the preallocated zeros start there) and corrupt the last record's payload
            ByteBuffer all = ByteBuffer.allocate((int) ch.size());
            ch.read(all, 0);
            all.flip();
            int pos = 0;
            int lastStart = 0;
            while (all.getInt(pos) != 0) {
                lastStart = pos;
                pos += Frames.HEADER + all.getInt(pos);
            }
            end = pos;
            ch.write(ByteBuffer.wrap(new byte[]{'X'}), lastStart + Frames.HEADER + 2);
            // and leave some garbage after the end, as a torn write of a later batch would
            ch.write(ByteBuffer.wrap(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9}), end + 100);
        }
        try (WriteAheadLog wal = open(1 << 20)) {
            assertThat(replayed).hasSize(9).endsWith("9:record-9");
            assertThat(wal.nextSequence()).isEqualTo(10);
            wal.await(wal.append(new Text(10, "again-10")));
        }
        try (WriteAheadLog wal = open(1 << 20)) {
            assertThat(replayed).hasSize(10).endsWith("10:again-10");
        }
    }

    @Test
    void concurrentWritersShareFlushesAndAllBecomeDurable() throws Exception {
        dir = Files.createTempDirectory("navis-wal-");
        AtomicLong durable = new AtomicLong();
        int writers = 16;
        int each = 50;
        try (WriteAheadLog wal = WriteAheadLog.open(dir, 1 << 20, 1, (s, p) -> { }, durable::set)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> fs = new ArrayList<>();
            AtomicLong rev = new AtomicLong();
            for (int t = 0; t < writers; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        long seq;
                        synchronized (rev) {
                            seq = wal.append(new Text(rev.incrementAndGet(), "x"));
                        }
                        wal.await(seq);
                        assertThat(wal.durableSequence()).isGreaterThanOrEqualTo(seq);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
        }
        assertThat(durable.get()).isEqualTo(writers * each);
        try (WriteAheadLog wal = open(1 << 20)) {
            assertThat(replayed).hasSize(writers * each);
        }
    }
}
