package dev.navis.storage.wal;

import dev.navis.storage.StoreException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * An append-only, checksummed log of records in segment files, with group commit.
 *
 * <p>Writers {@link #append} records (each gets the next sequence number) and then {@link #await} them.
 * One flusher thread takes everything queued, writes it with one call, forces it to disk
 * ({@code FileChannel.force(false)}, i.e. fdatasync) and then releases all of its writers at once: the more
 * writers wait, the bigger the batch, so one fsync serves many writes.
 *
 * <p>Files: {@code <first sequence, 16 hex digits>.wal}, each holding {@link Frames frames} one after
 * another. Segments are preallocated with zeros in steps (so most fdatasyncs need no metadata update); a
 * zero length marks the end of the data. Recovery ({@link #open}) replays every intact record and cuts
 * the last segment at the first torn frame, so a crash in the middle of a write loses only records that
 * were never acknowledged.
 */
public final class WriteAheadLog implements AutoCloseable {
    private static final long PREALLOCATE_STEP = 16L << 20;
    private static final String SUFFIX = ".wal";

    /** What can be logged. */
    public interface Entry {
        /** The store revision this record creates (0 when none): reported to the durability listener. */
        long revision();

        /** Writes the payload at the buffer's position; needs at most {@link #maxEncodedSize()} bytes. */
        void encode(ByteBuffer out);

        int maxEncodedSize();
    }

    /** Receives the intact records during {@link #open}. */
    public interface Replayer {
        void replay(long sequence, ByteBuffer payload);
    }

    private record Pending(Entry entry, long sequence, Thread waiter) {
    }

    private final Path dir;
    private final long segmentBytes;
    private final LongConsumer onDurable;
    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition queued = queueLock.newCondition();
    private final Thread flusher;
    private ArrayList<Pending> queue = new ArrayList<>();
    private ArrayList<Pending> spare = new ArrayList<>();
    private long nextSequence;
    private boolean closing;

    // flusher-owned
    private FileChannel segment;
    private long segmentStart;
    private long writePosition;
    private long allocatedEnd;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);

    private volatile long durableSequence;
    private volatile long flushes;
    private volatile Throwable failure;

    private WriteAheadLog(Path dir, long segmentBytes, LongConsumer onDurable, long nextSequence,
                          Path lastSegment, long lastSegmentStart, long lastSegmentEnd) throws IOException {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.onDurable = onDurable;
        this.nextSequence = nextSequence;
        this.durableSequence = nextSequence - 1;
        if (lastSegment != null) {
            segment = FileChannel.open(lastSegment, StandardOpenOption.WRITE, StandardOpenOption.READ);
            segmentStart = lastSegmentStart;
            writePosition = lastSegmentEnd;
            allocatedEnd = segment.size();
        }
        flusher = Thread.ofPlatform().daemon().name("wal-flusher").unstarted(this::flushLoop);
        flusher.start();
    }

    /**
     * Opens (creating if needed) the log in {@code dir}: replays every intact record with a sequence of at
     * least {@code fromSequence}, repairs a torn tail, and returns a log ready for appends.
     *
     * @param fromSequence the first sequence the caller needs (records before it, e.g. covered by a
     *                     snapshot, are skipped); also the first sequence of an empty log
     * @param onDurable    called by the flusher with the highest revision made durable by each flush
     */
    public static WriteAheadLog open(Path dir, long segmentBytes, long fromSequence, Replayer replayer,
                                     LongConsumer onDurable) {
        try {
            Files.createDirectories(dir);
            List<Long> starts = segmentStarts(dir);
            long next = fromSequence;
            long expected = -1;
            Path last = null;
            long lastStart = 0;
            long lastEnd = 0;
            for (int i = 0; i < starts.size(); i++) {
                // segment i is needed unless the next one starts at or before fromSequence
                long start = starts.get(i);
                boolean isLast = i == starts.size() - 1;
                if (!isLast && starts.get(i + 1) <= fromSequence) {
                    continue; // wholly before what the caller needs
                }
                Path file = segmentPath(dir, start);
                if (expected == -1 ? start > fromSequence : start != expected) {
                    throw new StoreException("write-ahead log has a gap before " + file);
                }
                ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
                long seq = start;
                ByteBuffer payload;
                while ((payload = Frames.next(data)) != null) {
                    if (seq >= fromSequence) {
                        replayer.replay(seq, payload);
                    }
                    seq++;
                }
                boolean atEnd = data.remaining() < Frames.HEADER || data.getInt(data.position()) == 0;
                if (!isLast && !atEnd) {
                    throw new StoreException("write-ahead log segment " + file + " is corrupt at byte " + data.position());
                }
                next = Math.max(next, seq);
                expected = seq;
                if (isLast) {
                    last = file;
                    lastStart = start;
                    lastEnd = data.position();
                    if (!atEnd || zeroTailNeeded(data)) {
                        cutTornTail(file, lastEnd);
                    }
                }
            }
            return new WriteAheadLog(dir, segmentBytes, onDurable, next, last, lastStart, lastEnd);
        } catch (IOException e) {
            throw new StoreException("cannot open write-ahead log in " + dir, e);
        }
    }

    /** After a torn frame some garbage may follow the zero we stopped at; be sure all of it is gone. */
    private static boolean zeroTailNeeded(ByteBuffer data) {
        ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
        for (int pos = data.position(); pos < data.limit(); pos += zeros.capacity()) {
            int n = Math.min(zeros.capacity(), data.limit() - pos);
            if (data.slice(pos, n).mismatch(zeros.slice(0, n)) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static void cutTornTail(Path file, long end) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(end);
            ch.force(true);
        }
    }

    // ---------------------------------------------------------------- writing

    /** Queues a record; returns its sequence number for {@link #await}. */
    public long append(Entry entry) {
        queueLock.lock();
        try {
            if (closing) {
                Throwable f = failure;
                throw f != null ? new StoreException("write-ahead log failed", f)
                        : new StoreException("write-ahead log is closed");
            }
            long seq = nextSequence++;
            queue.add(new Pending(entry, seq, Thread.currentThread()));
            if (queue.size() == 1) {
                queued.signal();
            }
            return seq;
        } finally {
            queueLock.unlock();
        }
    }

    /**
     * Returns once the record with {@code sequence} (and every earlier one) is on disk. The flusher wakes
     * the thread that appended a record; any other thread (rare: snapshots) polls every 10 ms. Polling
     * more often would cost the many waiting writers a wake-up each time.
     */
    public void await(long sequence) {
        while (durableSequence < sequence) {
            Throwable f = failure;
            if (f != null) {
                throw new StoreException("write-ahead log failed", f);
            }
            LockSupport.parkNanos(this, 10_000_000);
        }
    }

    /** The sequence the next record will get. */
    public long nextSequence() {
        queueLock.lock();
        try {
            return nextSequence;
        } finally {
            queueLock.unlock();
        }
    }

    /** How many batches were written and forced to disk so far (records per flush = group commit's gain). */
    public long flushCount() {
        return flushes;
    }

    public long durableSequence() {
        return durableSequence;
    }

    /** Deletes the segments that hold only records below {@code sequence} (they are in a snapshot). */
    public void dropBefore(long sequence) {
        try {
            List<Long> starts = segmentStarts(dir);
            for (int i = 0; i + 1 < starts.size(); i++) {
                if (starts.get(i + 1) <= sequence && starts.get(i + 1) <= durableSequence) {
                    Files.deleteIfExists(segmentPath(dir, starts.get(i)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void flushLoop() {
        try {
            while (true) {
                ArrayList<Pending> batch;
                queueLock.lock();
                try {
                    while (queue.isEmpty() && !closing) {
                        queued.awaitUninterruptibly();
                    }
                    if (queue.isEmpty()) {
                        return;
                    }
                    batch = queue;
                    queue = spare;
                    spare = batch;
                } finally {
                    queueLock.unlock();
                }
                try {
                    flush(batch);
                } catch (Throwable t) {
                    failure = t;
                    for (Pending p : batch) {
                        LockSupport.unpark(p.waiter());
                    }
                    throw t;
                }
                batch.clear();
            }
        } catch (Throwable t) {
            failure = t;
            queueLock.lock();
            try {
                closing = true;
                for (Pending p : queue) {
                    LockSupport.unpark(p.waiter());
                }
            } finally {
                queueLock.unlock();
            }
        }
    }

    private void flush(List<Pending> batch) throws IOException {
        long maxRevision = 0;
        int size = 0;
        for (Pending p : batch) {
            size += Frames.HEADER + p.entry().maxEncodedSize();
        }
        if (buffer.capacity() < size) {
            buffer = ByteBuffer.allocateDirect(Integer.highestOneBit(size) << 1);
        }
        buffer.clear();
        for (Pending p : batch) {
            int start = Frames.begin(buffer);
            p.entry().encode(buffer);
            Frames.end(buffer, start);
            maxRevision = Math.max(maxRevision, p.entry().revision());
        }
        buffer.flip();
        int bytes = buffer.remaining();
        if (segment == null || (writePosition > 0 && writePosition + bytes > segmentBytes)) {
            startSegment(batch.get(0).sequence());
        }
        if (writePosition + bytes > allocatedEnd) {
            preallocate(writePosition + bytes);
        }
        long pos = writePosition;
        while (buffer.hasRemaining()) {
            pos += segment.write(buffer, pos);
        }
        segment.force(false);
        flushes++;
        writePosition = pos;
        // publish the revision before the sequence: a writer that sees its sequence durable must find its
        // revision readable
        if (maxRevision > 0) {
            onDurable.accept(maxRevision);
        }
        durableSequence = batch.get(batch.size() - 1).sequence();
        for (Pending p : batch) {
            LockSupport.unpark(p.waiter());
        }
    }

    private void startSegment(long firstSequence) throws IOException {
        if (segment != null) {
            segment.truncate(writePosition); // drop the unused zeros
            segment.force(true);
            segment.close();
        }
        Path file = segmentPath(dir, firstSequence);
        segment = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        segmentStart = firstSequence;
        writePosition = 0;
        allocatedEnd = 0;
        syncDirectory(dir);
    }

    /** Extends the segment with zeros, so the fdatasync of later writes need not update the file size. */
    private void preallocate(long needed) throws IOException {
        long target = Math.max(needed, allocatedEnd + PREALLOCATE_STEP);
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        long pos = allocatedEnd;
        while (pos < target) {
            zeros.clear();
            zeros.limit((int) Math.min(zeros.capacity(), target - pos));
            while (zeros.hasRemaining()) {
                pos += segment.write(zeros, pos);
            }
        }
        allocatedEnd = pos;
        segment.force(true);
    }

    @Override
    public void close() {
        queueLock.lock();
        try {
            closing = true;
            queued.signal();
        } finally {
            queueLock.unlock();
        }
        try {
            flusher.join();
            if (segment != null) {
                segment.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- files

    static Path segmentPath(Path dir, long firstSequence) {
        return dir.resolve(String.format("%016x%s", firstSequence, SUFFIX));
    }

    static List<Long> segmentStarts(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SUFFIX) && n.length() == 16 + SUFFIX.length())
                    .map(n -> Long.parseUnsignedLong(n.substring(0, 16), 16))
                    .sorted()
                    .toList();
        }
    }

    /** Makes a created, renamed or deleted file's directory entry durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
