package dev.navis.storage.mvcc;

import dev.navis.storage.StoreException;
import dev.navis.storage.wal.Frames;
import dev.navis.storage.wal.WriteAheadLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Snapshot files: {@code <wal sequence, 16 hex digits>.snap} holds the store as of every log record below
 * that sequence, as framed records (see {@link MvccStore} for what they contain), ending with an END
 * record. A file is written under a temporary name, fsynced and renamed, so a present file is complete.
 */
final class SnapshotFile implements AutoCloseable {
    private static final String SUFFIX = ".snap";

    private final Path dir;
    private final long sequence;
    private final Path tmp;
    private final FileChannel channel;
    private ByteBuffer buffer = ByteBuffer.allocate(4 << 20);

    private SnapshotFile(Path dir, long sequence) throws IOException {
        this.dir = dir;
        this.sequence = sequence;
        this.tmp = dir.resolve(String.format("%016x%s.tmp", sequence, SUFFIX));
        this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    static SnapshotFile create(Path dir, long sequence) {
        try {
            return new SnapshotFile(dir, sequence);
        } catch (IOException e) {
            throw new StoreException("cannot create snapshot in " + dir, e);
        }
    }

    /** Makes room for a record of at most {@code maxSize} bytes and returns the buffer to frame it in. */
    ByteBuffer room(int maxSize) {
        int needed = maxSize + Frames.HEADER;
        if (buffer.remaining() < needed) {
            drain();
            if (buffer.capacity() < needed) {
                buffer = ByteBuffer.allocate(Integer.highestOneBit(needed) << 1);
            }
        }
        return buffer;
    }

    private void drain() {
        try {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        } catch (IOException e) {
            throw new StoreException("cannot write snapshot " + tmp, e);
        }
    }

    /** Makes the snapshot durable under its final name and deletes older snapshots. */
    void commit() {
        try {
            drain();
            channel.force(true);
            channel.close();
            Path target = path(dir, sequence);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            WriteAheadLog.syncDirectory(dir);
            for (long older : sequences(dir)) {
                if (older < sequence) {
                    Files.deleteIfExists(path(dir, older));
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot commit snapshot " + tmp, e);
        }
    }

    @Override
    public void close() {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // best effort: a stale temporary file is ignored on open
        }
    }

    static Path path(Path dir, long sequence) {
        return dir.resolve(String.format("%016x%s", sequence, SUFFIX));
    }

    /** Deletes snapshots a crash left half-written. */
    static void deleteUnfinished(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX + ".tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The sequences of the snapshots in {@code dir}, newest first. */
    static List<Long> sequences(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SUFFIX) && n.length() == 16 + SUFFIX.length())
                    .map(n -> Long.parseUnsignedLong(n.substring(0, 16), 16))
                    .sorted((a, b) -> Long.compare(b, a))
                    .toList();
        }
    }

    /**
     * Hands every record of a snapshot file to {@code records}; returns false, without calling it, when the
     * file is incomplete or corrupt.
     */
    static boolean read(Path file, Consumer<ByteBuffer> records) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
        if (!complete(data.duplicate())) {
            return false;
        }
        ByteBuffer payload;
        while ((payload = Frames.next(data)) != null && payload.get(0) != ChangeCodec.SNAPSHOT_END) {
            records.accept(payload);
        }
        return true;
    }

    private static boolean complete(ByteBuffer data) {
        ByteBuffer payload;
        while ((payload = Frames.next(data)) != null) {
            if (payload.get(0) == ChangeCodec.SNAPSHOT_END) {
                return true;
            }
        }
        return false;
    }
}
