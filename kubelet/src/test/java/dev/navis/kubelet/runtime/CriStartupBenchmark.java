package dev.navis.kubelet.runtime;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pod startup through the runtime alone (image present): from the first syncPod to a status with the
 * container running, one pod at a time and then pods arriving at a fixed rate, each synced by its own
 * worker as the kubelet's pod workers do. Prints percentiles; asserts nothing about time.
 *
 * <pre>mvn -o -pl kubelet -am test -Dtest=CriStartupBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dnavis.bench=true</pre>
 */
@EnabledIfSystemProperty(named = "navis.bench", matches = "true")
class CriStartupBenchmark {

    @Test
    void podStartupLatency() throws Exception {
        int sequential = Integer.getInteger("navis.bench.sequential", 20);
        int pods = Integer.getInteger("navis.bench.pods", 100);
        int rate = Integer.getInteger("navis.bench.rate", 20);
        try (CriTestNode node = CriTestNode.start()) {
            List<Long> seq = new ArrayList<>();
            for (int i = 0; i < sequential; i++) {
                seq.add(startOne(node, "seq-" + i));
            }
            report("sequential", seq);
            for (String uid : node.runtime.podUids()) {
                node.runtime.removePod(uid);
            }

            List<Long> concurrent = Collections.synchronizedList(new ArrayList<>());
            try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> all = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 0; i < pods; i++) {
                    long due = start + i * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    String name = "rate-" + i;
                    all.add(workers.submit(() -> {
                        concurrent.add(startOne(node, name));
                        return null;
                    }));
                }
                for (Future<?> f : all) {
                    f.get();
                }
            }
            report(pods + " pods at " + rate + "/s", concurrent);
        }
    }

    private static long startOne(CriTestNode node, String name) throws Exception {
        Pod pod = CriPodRuntimeTest.pod(name).editSpec().addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX)
                .withImagePullPolicy("IfNotPresent").withCommand("sleep", "3600").endContainer().endSpec().build();
        long t0 = System.nanoTime();
        PodStatus st = node.runtime.syncPod(new PodSyncRequest(pod, null, Map.of(), Map.of(), java.util.Set.of(), null));
        while (!CriPodRuntimeTest.running(st, "main")) {
            Thread.sleep(20);
            st = node.runtime.syncPod(new PodSyncRequest(pod, null, Map.of(), Map.of(), java.util.Set.of(), null));
        }
        return System.nanoTime() - t0;
    }

    private static void report(String what, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf("pod startup (%s, n=%d): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n", what, sorted.size(),
                ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), sorted.get(sorted.size() - 1) / 1_000_000);
    }

    private static long ms(List<Long> sorted, double q) {
        int i = Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1);
        return Duration.ofNanos(sorted.get(Math.max(0, i))).toMillis();
    }
}
