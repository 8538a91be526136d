package dev.navis.storage.mvcc;

import dev.navis.storage.StoreException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Backups of the durable embedded store ({@code navis etcd-snapshot save|restore}), taken while the store
 * runs in another process, without its cooperation.
 *
 * <p>A save copies the newest snapshot file and the write-ahead log segments after it. That copy is what a
 * crash at some moment would have left: a snapshot file is complete once it has its final name, segments
 * only grow, and a segment is never written again once the next one exists, so the copy of the last segment
 * is a prefix of it, possibly ending in a torn frame, which recovery cuts like after a crash. When the
 * running store drops a snapshot or segment during the copy (it took a newer snapshot) the copy starts over.
 * The copy is then opened, which replays and verifies it, and compacted into one snapshot file, so a backup
 * holds exactly the acknowledged writes up to some revision (plus, as after a crash, writes that reached
 * the log but were not yet acknowledged).
 */
public final class StoreBackup {
    private static final int ATTEMPTS = 20;

    private StoreBackup() {
    }

    /** Copies the store in {@code storeDir} (running or not) to the new directory {@code target}; returns the revision saved. */
    public static long save(Path storeDir, Path target) {
        if (!Files.isDirectory(storeDir)) {
            throw new StoreException("no store in " + storeDir);
        }
        if (Files.exists(target)) {
            throw new StoreException(target + " already exists");
        }
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(target);
                copyOnce(storeDir, target);
                break;
            } catch (NoSuchFileException e) {
                // the store replaced a file while we copied: start over
                deleteTree(target);
                if (attempt == ATTEMPTS) {
                    throw new StoreException("the store kept changing its files; no consistent copy after " + ATTEMPTS + " attempts", e);
                }
            } catch (IOException e) {
                deleteTree(target);
                throw new StoreException("cannot copy " + storeDir + " to " + target + ": " + e.getMessage(), e);
            }
        }
        return verifyAndCompact(target);
    }

    /** Makes {@code storeDir} (absent or empty) a copy of the backup in {@code source}; returns its revision. */
    public static long restore(Path source, Path storeDir) {
        try {
            if (Files.isDirectory(storeDir)) {
                try (Stream<Path> files = Files.list(storeDir)) {
                    if (files.findAny().isPresent()) {
                        throw new StoreException(storeDir + " is not empty: restore into a new data directory");
                    }
                }
            }
            Files.createDirectories(storeDir);
            try (Stream<Path> files = Files.list(source)) {
                for (Path f : files.filter(p -> !p.getFileName().toString().equals("LOCK")).toList()) {
                    Files.copy(f, storeDir.resolve(f.getFileName()));
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot restore " + source + " into " + storeDir + ": " + e.getMessage(), e);
        }
        try (MvccStore store = MvccStore.open(storeDir, Options.defaults())) {
            return store.currentRevision();
        }
    }

    private static void copyOnce(Path storeDir, Path target) throws IOException {
        List<Long> snapshots = SnapshotFile.sequences(storeDir);
        long fromSequence = 0;
        if (!snapshots.isEmpty()) {
            fromSequence = snapshots.get(0);
            Path snap = SnapshotFile.path(storeDir, fromSequence);
            Files.copy(snap, target.resolve(snap.getFileName()));
        }
        List<Path> segments = segments(storeDir);
        List<Path> needed = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            boolean isLast = i == segments.size() - 1;
            if (!isLast && start(segments.get(i + 1)) <= fromSequence) {
                continue; // wholly inside the snapshot
            }
            needed.add(segments.get(i));
        }
        for (Path segment : needed) { // in order: each is complete before the next exists
            Files.copy(segment, target.resolve(segment.getFileName()));
        }
    }

    private static long verifyAndCompact(Path target) {
        try (MvccStore copy = MvccStore.open(target, Options.defaults())) {
            long revision = copy.currentRevision();
            copy.snapshot();
            return revision;
        } finally {
            try {
                Files.deleteIfExists(target.resolve("LOCK"));
            } catch (IOException e) {
                // a stale lock file is harmless: locks are taken, not the file's presence
            }
        }
    }

    private static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("[0-9a-f]{16}\\.wal"))
                    .sorted(Comparator.comparingLong(StoreBackup::start)).toList();
        }
    }

    private static long start(Path segment) {
        return Long.parseUnsignedLong(segment.getFileName().toString().substring(0, 16), 16);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort on a failed copy
        }
    }
}
