package dev.navis.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.navis.client.ListOptions;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code navis bench podstartup}: upstream's pod startup latency SLI on a real node — from a pod's creation to all
 * its containers running (started), as observed through a watch, with the image already on the node. Creates
 * {@code --pods} pods at {@code --rate} pods/s in a namespace of its own, prints percentiles, deletes the namespace.
 * Pods are bound to the node directly unless {@code --use-scheduler}.
 */
@Command(name = "podstartup", mixinStandardHelpOptions = true,
        description = "Measure pod startup latency (creation to all containers running) on a real node.")
public final class BenchPodStartupCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", required = true, description = "The cluster (e.g. <server data dir>/kubeconfig.yaml).")
    Path kubeconfig;

    @Option(names = "--pods", defaultValue = "100", description = "Pods to create (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--rate", defaultValue = "20", description = "Pods created per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--node", description = "The node to bind them to (default: the only Ready node not labelled navis.dev/simulated=true).")
    String node;

    @Option(names = "--use-scheduler", description = "Leave spec.nodeName empty so the scheduler binds the pods.")
    boolean useScheduler;

    @Option(names = "--image", defaultValue = "busybox:latest", description = "An image already on the node (default ${DEFAULT-VALUE}).")
    String image;

    @Option(names = "--namespace", defaultValue = "bench-podstartup", description = "Namespace created for the pods (default ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--no-wait-deletion", description = "Return once the namespace is deleted instead of waiting (up to "
            + "3 min) until it and its pods are gone; a run started next then pays for this one's teardown.")
    boolean noWaitDeletion;

    @Override
    public Integer call() throws Exception {
        var config = KubeConfigLoader.load(kubeconfig.toAbsolutePath()).clientConfig().withRateLimit(1000, 2000);
        try (RestKubeClient client = RestKubeClient.create(config)) {
            String target = useScheduler ? null : node != null ? node : realNode(client);
            client.namespaces().create(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build());
            try {
                return measure(client, target);
            } finally {
                client.namespaces().delete(namespace);
                if (!noWaitDeletion) {
                    awaitDeletion(client);
                } else {
                    System.out.println("namespace " + namespace + " deleted (its pods terminate in the background)");
                }
            }
        }
    }

    /**
     * Waits until the namespace is gone: its pods were killed and removed by the node. (The node still removes
     * their sandboxes for a few seconds after; the CNI DEL and runc delete of 100 pods take CPU of their own.)
     */
    private void awaitDeletion(RestKubeClient client) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            try {
                client.namespaces().get(namespace);
            } catch (dev.navis.client.ApiException e) {
                if (e.isNotFound()) {
                    System.out.printf("namespace %s and its pods deleted in %.1f s%n", namespace, (System.nanoTime() - t0) / 1e9);
                    return;
                }
                throw e;
            }
            Thread.sleep(500);
        }
        System.out.println("namespace " + namespace + " still terminating after 3 min");
    }

    private int measure(RestKubeClient client, String target) throws Exception {
        Map<String, Long> created = new ConcurrentHashMap<>();
        Map<String, Long> started = new ConcurrentHashMap<>();
        Map<String, Long> observed = new ConcurrentHashMap<>();
        Map<String, Long> scheduled = new ConcurrentHashMap<>();
        Map<String, Long> reported = new ConcurrentHashMap<>();
        Map<String, String> failed = new ConcurrentHashMap<>();
        CountDownLatch allStarted = new CountDownLatch(pods);
        String rv = client.pods().namespace(namespace).list(ListOptions.ALL).resourceVersion();
        Watch<Pod> watch = client.pods().namespace(namespace).watch(ListOptions.ALL.withResourceVersion(rv));
        Thread watcher = Thread.ofPlatform().name("podstartup-watch").start(() -> {
            try {
                WatchEvent<Pod> event;
                while ((event = watch.next()) != null) {
                    Pod p = event.object();
                    long seen = System.nanoTime();
                    if (p != null) {
                        observed.putIfAbsent(p.getMetadata().getName(), seen);
                    }
                    if (p != null && p.getSpec() != null && p.getSpec().getNodeName() != null) {
                        scheduled.putIfAbsent(p.getMetadata().getName(), seen);
                    }
                    if (p != null && p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                            && !p.getStatus().getContainerStatuses().isEmpty()) {
                        reported.putIfAbsent(p.getMetadata().getName(), seen); // the kubelet's first status
                    }
                    if (p != null && p.getStatus() != null && "Failed".equals(p.getStatus().getPhase())
                            && failed.putIfAbsent(p.getMetadata().getName(), String.valueOf(p.getStatus().getReason())) == null
                            && !started.containsKey(p.getMetadata().getName())) {
                        allStarted.countDown(); // e.g. OutOfpods while an earlier run's pods are still torn down
                        continue;
                    }
                    if (p == null || p.getStatus() == null || !allRunning(p)) {
                        continue;
                    }
                    if (started.putIfAbsent(p.getMetadata().getName(), seen) == null) {
                        allStarted.countDown();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                System.err.println("watch ended: " + e);
            }
        });
        long intervalNanos = (long) (1e9 / rate);
        long t0 = System.nanoTime();
        System.out.println("creating pods from " + java.time.Instant.now());
        try (ExecutorService creators = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < pods; i++) {
                long due = t0 + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                String name = "startup-" + i;
                creators.execute(() -> {
                    created.put(name, System.nanoTime());
                    client.pods().namespace(namespace).create(pod(name, target));
                });
            }
        }
        System.out.printf("%d pods created at %.1f pods/s on %s%n", pods, rate, target == null ? "(scheduler)" : target);
        boolean done = allStarted.await(5, TimeUnit.MINUTES);
        watch.close();
        watcher.join(5000);
        List<Double> latencies = new ArrayList<>();
        for (var e : started.entrySet()) {
            Long c = created.get(e.getKey());
            if (c != null) {
                latencies.add((e.getValue() - c) / 1e9);
            }
        }
        Collections.sort(latencies);
        if (!failed.isEmpty()) {
            System.out.printf("%d pods failed: %s%n", failed.size(), new java.util.TreeSet<>(failed.values()));
        }
        System.out.printf("pod startup latency (creation to all containers running, %d/%d pods%s):%n",
                latencies.size(), pods, done ? "" : ", the rest did not start within 5 min");
        if (!latencies.isEmpty()) {
            System.out.printf("  p50 %.3f s   p90 %.3f s   p99 %.3f s   max %.3f s%n", percentile(latencies, 50),
                    percentile(latencies, 90), percentile(latencies, 99), latencies.getLast());
        }
        if (!latencies.isEmpty()) {
            System.out.println("  phases as the watch saw them (p50 / p99):");
            phase("created -> seen by the watch", created, observed);
            phase("seen -> scheduled", observed, scheduled);
            phase("scheduled -> first kubelet status", scheduled, reported);
            phase("first kubelet status -> all running", reported, started);
        }
        return done && failed.isEmpty() ? 0 : 1;
    }

    private static void phase(String name, Map<String, Long> from, Map<String, Long> to) {
        List<Double> d = new ArrayList<>();
        to.forEach((pod, end) -> {
            Long begin = from.get(pod);
            if (begin != null) {
                d.add(Math.max(0, end - begin) / 1e9);
            }
        });
        Collections.sort(d);
        if (!d.isEmpty()) {
            System.out.printf("    %-38s %.3f s / %.3f s%n", name, percentile(d, 50), percentile(d, 99));
        }
    }

    private static boolean allRunning(Pod p) {
        List<ContainerStatus> statuses = p.getStatus().getContainerStatuses();
        if (statuses == null || statuses.isEmpty() || statuses.size() < p.getSpec().getContainers().size()) {
            return false;
        }
        return statuses.stream().allMatch(s -> s.getState() != null && s.getState().getRunning() != null);
    }

    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private Pod pod(String name, String target) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app", "podstartup").endMetadata()
                .withNewSpec().withNodeName(target).withTerminationGracePeriodSeconds(0L)
                .addNewContainer().withName("c").withImage(image).withImagePullPolicy("IfNotPresent")
                .withCommand("sleep", "3600").endContainer().endSpec().build();
    }

    /** The single Ready node without the simulated-node label. */
    private static String realNode(RestKubeClient client) {
        List<String> ready = new ArrayList<>();
        for (Node n : client.nodes().list().items()) {
            Map<String, String> labels = n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
            if ("true".equals(labels.get("navis.dev/simulated"))) {
                continue;
            }
            List<NodeCondition> conditions = n.getStatus() == null || n.getStatus().getConditions() == null ? List.of()
                    : n.getStatus().getConditions();
            if (conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
                ready.add(n.getMetadata().getName());
            }
        }
        if (ready.size() != 1) {
            throw new IllegalStateException("give --node: Ready real nodes are " + ready);
        }
        return ready.getFirst();
    }
}
