package dev.navis.storage.mvcc;

import dev.navis.storage.KeyValue;
import dev.navis.storage.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backups of a running durable store: a copy taken during writes restores to an exact earlier state. */
class StoreBackupTest {

    @TempDir
    Path tmp;

    @Test
    void aBackupTakenDuringWritesRestoresEveryWriteUpToItsRevision() throws Exception {
        // small segments and frequent snapshots, so the running store rotates and drops files during the copy
        Options options = Options.defaults().withSegmentBytes(64 << 10).withSnapshotEveryRevisions(500);
        Map<Long, String> written = new ConcurrentHashMap<>(); // revision -> key written then
        AtomicBoolean stop = new AtomicBoolean();
        try (MvccStore running = MvccStore.open(tmp.resolve("live"), options)) {
            for (int i = 0; i < 2000; i++) {
                written.put(running.create("/k/" + i, value(i), 0), "/k/" + i);
            }
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int i = 2000; !stop.get(); i++) {
                    written.put(running.create("/k/" + i, value(i), 0), "/k/" + i);
                }
            });
            long saved;
            try {
                saved = StoreBackup.save(tmp.resolve("live"), tmp.resolve("backup"));
            } finally {
                stop.set(true);
                writer.join();
            }
            assertThat(saved).isGreaterThanOrEqualTo(2000);
            long restored = StoreBackup.restore(tmp.resolve("backup"), tmp.resolve("restored"));
            assertThat(restored).isEqualTo(saved);
            try (MvccStore copy = MvccStore.open(tmp.resolve("restored"), options)) {
                assertThat(copy.currentRevision()).isEqualTo(saved);
                assertThat(copy.count("/k/")).isEqualTo(saved);
                for (long r = 1; r <= saved; r++) {
                    String key = written.get(r);
                    KeyValue kv = copy.get(key);
                    assertThat(kv).as(key).isNotNull();
                    assertThat(kv.modRevision()).isEqualTo(r);
                    assertThat(new String(kv.value(), StandardCharsets.UTF_8)).isEqualTo("v" + key.substring(3));
                }
            }
        }
    }

    @Test
    void restoreRefusesANonEmptyDirectory() throws Exception {
        try (MvccStore s = MvccStore.open(tmp.resolve("live"), Options.defaults())) {
            s.create("/a", value(1), 0);
        }
        StoreBackup.save(tmp.resolve("live"), tmp.resolve("backup"));
        assertThatThrownBy(() -> StoreBackup.restore(tmp.resolve("backup"), tmp.resolve("live")))
                .isInstanceOf(StoreException.class).hasMessageContaining("not empty");
        assertThatThrownBy(() -> StoreBackup.save(tmp.resolve("live"), tmp.resolve("backup")))
                .isInstanceOf(StoreException.class).hasMessageContaining("already exists");
        assertThat(Files.exists(tmp.resolve("backup"))).isTrue();
    }

    private static byte[] value(int i) {
        return ("v" + i).getBytes(StandardCharsets.UTF_8);
    }
}
