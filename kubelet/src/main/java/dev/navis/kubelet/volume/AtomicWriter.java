package dev.navis.kubelet.volume;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Writes a set of files into a volume directory so that a reader never sees a half-updated set, as
 * upstream's AtomicWriter (pkg/volume/util/atomic_writer.go):
 *
 * <pre>
 * target/
 *   ..2026_12_07_01_02_03.123456789/   the current payload (a fresh directory per change)
 *   ..data -&gt; ..2026_12_07_01_02_03.123456789
 *   key    -&gt; ..data/key                 one symlink per top-level path of the payload
 * </pre>
 *
 * An update writes a new timestamped directory, creates {@code ..data_tmp} pointing at it and renames it
 * over {@code ..data} (rename(2) is atomic), then removes the symlinks of paths that left the payload and
 * the old directory. Unchanged payloads write nothing.
 */
public final class AtomicWriter {
    static final String DATA = "..data";
    private static final String DATA_TMP = "..data_tmp";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.");

    /** One file of the payload: its bytes and its permission bits (e.g. 0644). */
    public record FileProjection(byte[] data, int mode) {
    }

    private final Path target;

    public AtomicWriter(Path target) {
        this.target = target;
    }

    /**
     * Makes the directory show exactly {@code payload} (relative path → content).
     *
     * @return true when something changed
     * @throws IllegalArgumentException for a path that is absolute, contains "..", or starts with ".."
     */
    public boolean write(Map<String, FileProjection> payload) throws IOException {
        for (String p : payload.keySet()) {
            validate(p);
        }
        Files.createDirectories(target);
        Path dataLink = target.resolve(DATA);
        Path oldDir = null;
        if (Files.isSymbolicLink(dataLink)) {
            oldDir = target.resolve(Files.readSymbolicLink(dataLink));
            if (Files.isDirectory(oldDir) && sameContents(oldDir, payload)) {
                return false;
            }
        }
        Path newDir = Files.createDirectory(target.resolve(".." + STAMP.format(LocalDateTime.now(ZoneOffset.UTC))
                + String.format("%09d", System.nanoTime() % 1_000_000_000L)));
        for (Map.Entry<String, FileProjection> e : payload.entrySet()) {
            Path file = newDir.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, e.getValue().data());
            Files.setPosixFilePermissions(file, permissions(e.getValue().mode()));
        }
        Set<String> topLevel = new HashSet<>();
        payload.keySet().forEach(p -> topLevel.add(p.split("/", 2)[0]));
        for (String name : topLevel) {
            Path link = target.resolve(name);
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of(DATA, name));
            }
        }
        Path tmpLink = target.resolve(DATA_TMP);
        Files.deleteIfExists(tmpLink);
        Files.createSymbolicLink(tmpLink, newDir.getFileName());
        try {
            Files.move(tmpLink, dataLink, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot swap " + dataLink + " atomically", e);
        }
        try (var entries = Files.list(target)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.startsWith("..") && Files.isSymbolicLink(entry) && !topLevel.contains(name)) {
                    Files.delete(entry);
                }
            }
        }
        if (oldDir != null && !oldDir.equals(newDir)) {
            deleteTree(oldDir);
        }
        return true;
    }

    static void validate(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.startsWith("..")
                || Arrays.asList(path.split("/")).contains("..")) {
            throw new IllegalArgumentException("invalid path " + path + ": must be relative and may not contain '..'");
        }
    }

    private static boolean sameContents(Path dir, Map<String, FileProjection> payload) throws IOException {
        Set<String> present = new HashSet<>();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                present.add(dir.relativize(f).toString());
            }
        }
        if (!present.equals(payload.keySet())) {
            return false;
        }
        for (Map.Entry<String, FileProjection> e : payload.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Arrays.equals(Files.readAllBytes(f), e.getValue().data())
                    || !Files.getPosixFilePermissions(f).equals(permissions(e.getValue().mode()))) {
                return false;
            }
        }
        return true;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
