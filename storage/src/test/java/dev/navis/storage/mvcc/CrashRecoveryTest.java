package dev.navis.storage.mvcc;

import dev.navis.storage.KeyValue;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Kills a writing child JVM with SIGKILL and checks that every acknowledged write survived. */
class CrashRecoveryTest {

    @Test
    void everyAcknowledgedWriteSurvivesKillDashNine() throws Exception {
        Path dir = Files.createTempDirectory("navis-crash-");
        Process child = null;
        try {
            String java = ProcessHandle.current().info().command().orElseThrow();
            child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    CrashWriter.class.getName(), dir.toString(), "4")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Map<String, Long> acked = new HashMap<>();
            long maxAck = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                long readUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                while ((acked.size() < 4000 || System.nanoTime() < readUntil) && (line = out.readLine()) != null) {
                    String[] parts = line.split(" ");
                    long rev = Long.parseLong(parts[2]);
                    acked.merge(parts[1], rev, Math::max);
                    maxAck = Math.max(maxAck, rev);
                }
                // SIGKILL, by this child's own PID
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                // (acks printed but not read before the kill are not checked: destroying closes the pipe)
            }
            assertThat(acked).hasSizeGreaterThanOrEqualTo(4000);
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).as("a snapshot was taken before the kill")
                        .anyMatch(n -> n.endsWith(".snap"));
            }
            try (MvccStore store = MvccStore.open(dir, Options.defaults())) {
                assertThat(store.currentRevision()).isGreaterThanOrEqualTo(maxAck);
                for (var e : acked.entrySet()) {
                    KeyValue kv = store.get(e.getKey());
                    assertThat(kv).as("acknowledged key %s", e.getKey()).isNotNull();
                    assertThat(kv.modRevision()).isGreaterThanOrEqualTo(e.getValue());
                    assertThat(store.get(e.getKey(), e.getValue()).modRevision()).isEqualTo(e.getValue());
                }
                // revisions are dense and monotonic: every revision up to the current one is one event
                List<KeyValue> all = store.rangePrefix("/crash/", 0, 0).kvs();
                long sumVersions = all.stream().mapToLong(KeyValue::version).sum();
                assertThat(sumVersions).isEqualTo(store.currentRevision());
                try (var files = Files.list(dir)) {
                    assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
                }
                long next = store.create("/after-crash", new byte[]{1}, 0);
                assertThat(next).isEqualTo(store.currentRevision()).isGreaterThan(maxAck);
            }
        } finally {
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
            DurableMvccStoreTest.deleteTree(dir);
        }
    }
}
