package dev.navis.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuByNameTest {

    @Test
    void countsAThreadsWorkUnderItsFoldedName() throws Exception {
        ThreadCpuByName before = ThreadCpuByName.now();
        java.util.concurrent.CountDownLatch spun = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        // a platform thread gets its native name at start; it stays alive until the second snapshot
        Thread worker = Thread.ofPlatform().name("cpu-test-7").start(() -> {
            long end = System.nanoTime() + 200_000_000L;
            long x = 0;
            while (System.nanoTime() < end) {
                x += Long.numberOfTrailingZeros(x + System.nanoTime());
            }
            spun.countDown();
            try {
                release.await();
            } catch (InterruptedException ignored) {
                // ends
            }
        });
        spun.await();
        Map<String, Long> spent = ThreadCpuByName.now().since(before);
        release.countDown();
        worker.join();
        if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task"))) {
            assertThat(spent).isEmpty();
            return;
        }
        assertThat(spent.get("cpu-test-N")).isNotNull().isGreaterThan(0L);
    }

    @Test
    void summaryListsTheLargestAndSumsTheRest() {
        Map<String, Long> byName = new LinkedHashMap<>();
        byName.put("a", 3_000_000_000L);
        byName.put("b", 1_500_000_000L);
        byName.put("c", 250_000_000L);
        byName.put("d", 250_000_000L);
        assertThat(ThreadCpuByName.summary(byName, 2)).isEqualTo("a 3.00 s, b 1.50 s, others 0.50 s");
        assertThat(ThreadCpuByName.summary(byName, 4)).isEqualTo("a 3.00 s, b 1.50 s, c 0.25 s, d 0.25 s");
    }
}
