package dev.navis.storage.mvcc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link CrashRecoveryTest}: writes through a durable store with several threads and
 * prints "ACK key revision" for every acknowledged write, until it is killed.
 * Usage: {@code CrashWriter <dir> <threads>}.
 */
public final class CrashWriter {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        MvccStore store = MvccStore.open(dir, Options.defaults().withSnapshotEveryRevisions(500));
        byte[] value = "x".repeat(200).getBytes(StandardCharsets.UTF_8);
        // snapshots all the time, so the kill may also land in the middle of one
        Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                store.snapshot();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread.ofPlatform().start(() -> {
                for (int i = 0; ; i++) {
                    String key = "/crash/" + id + "/" + i;
                    long rev = store.create(key, value, 0);
                    ack(key, rev);
                    rev = store.update(key, rev, value, 0);
                    ack(key, rev);
                }
            });
        }
    }

    private static synchronized void ack(String key, long rev) {
        System.out.println("ACK " + key + " " + rev);
        System.out.flush();
    }
}
