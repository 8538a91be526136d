package dev.navis.proxy.bench;

import dev.navis.client.KubeClient;
import dev.navis.proxy.KubeProxy;
import dev.navis.proxy.Proxier;
import dev.navis.proxy.ProxyConfig;
import dev.navis.proxy.ProxyEndpoint;
import dev.navis.proxy.ServicePort;
import dev.navis.proxy.nftables.Nft;
import dev.navis.proxy.nftables.NftRuleset;
import dev.navis.proxy.nftables.NftablesRules;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * kube-proxy's figures: the time of one full sync, and the network programming latency (EndpointSlice
 * change → its rules applied by nft) while endpoints churn, measured as upstream does from the slices'
 * {@code endpoints.kubernetes.io/last-change-trigger-time}. Runs against any API server; nft should point at
 * a scratch network namespace.
 */
public final class ProxyBenchmark {
    private static final String NAMESPACE = "proxy-bench";

    private final KubeClient client;
    private final Nft nft;
    private final KubeProxy.Sysctl sysctl;
    private final PrintStream out;

    public record Settings(int services, int endpointsPerService, int churnPerSecond, Duration churnTime,
                           Duration minSyncPeriod, int fullSyncServices) {
    }

    public ProxyBenchmark(KubeClient client, Nft nft, KubeProxy.Sysctl sysctl, PrintStream out) {
        this.client = client;
        this.nft = nft;
        this.sysctl = sysctl;
        this.out = out;
    }

    public void run(Settings s) throws Exception {
        fullSyncOffline(s.fullSyncServices(), s.endpointsPerService());
        churn(s);
    }

    /** One full sync of {@code count} Services without an API server: rule generation, then nft. */
    private void fullSyncOffline(int count, int endpoints) throws Exception {
        if (count <= 0) {
            return;
        }
        List<ServicePort> table = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<ProxyEndpoint> eps = new ArrayList<>();
            for (int e = 0; e < endpoints; e++) {
                // on other nodes, as in the churn phase (the slices name node-0..2, the proxy bench-node)
                eps.add(new ProxyEndpoint(podIp(i, e), 8080, true, true, false, false, true));
            }
            table.add(new ServicePort(NAMESPACE, "svc-" + i, "http", "tcp", serviceIp(i), 80, 0, List.of(), List.of(),
                    0, false, false, List.copyOf(eps)));
        }
        NftablesRules rules = null;
        NftRuleset ruleset = null;
        // twice: the first in a cold JVM (what a starting proxy pays), the second warm (a full sync after a
        // failure or a lost table); each replaces the whole table, as a full sync does
        for (String round : List.of("cold", "warm")) {
            rules = new NftablesRules(new NftablesRules.NftConfig("navis-proxy-bench",
                    ProxyConfig.DEFAULT_CLUSTER_CIDR, ProxyConfig.DEFAULT_SERVICE_CIDR, true));
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            ruleset = rules.build(table);
            String tx = ruleset.fullTransaction();
            long t1 = System.nanoTime();
            long cpu1 = threads.getCurrentThreadCpuTime();
            nft.apply(tx);
            long t2 = System.nanoTime();
            out.printf("full sync (%s), %d Services x %d endpoints (%d chains, %d lines, %d KB): generate %.0f ms "
                            + "(%.0f ms CPU), nft -f %.0f ms, total %.0f ms%n", round, count, endpoints,
                    ruleset.chainCount(), tx.lines().count(), tx.length() / 1024, (t1 - t0) / 1e6,
                    (cpu1 - cpu0) / 1e6, (t2 - t1) / 1e6, (t2 - t0) / 1e6);
        }
        // one endpoint of one service changes: the partial transaction
        List<ServicePort> changed = new ArrayList<>(table);
        ServicePort first = changed.getFirst();
        List<ProxyEndpoint> eps = new ArrayList<>(first.endpoints());
        eps.set(0, new ProxyEndpoint("10.42.255.254", 8080, true, true, false, false, true));
        changed.set(0, new ServicePort(first.namespace(), first.name(), first.portName(), first.protocol(),
                first.clusterIP(), first.port(), 0, List.of(), List.of(), 0, false, false, List.copyOf(eps)));
        long t3 = System.nanoTime();
        NftRuleset next = rules.build(changed);
        String partial = next.transactionFrom(ruleset);
        long t4 = System.nanoTime();
        nft.apply(partial);
        long t5 = System.nanoTime();
        out.printf("partial sync after one endpoint change (%d lines): generate+diff %.0f ms, nft -f %.0f ms%n",
                partial.lines().count(), (t4 - t3) / 1e6, (t5 - t4) / 1e6);
        nft.deleteTable("ip", "navis-proxy-bench");
    }

    private void churn(Settings s) throws Exception {
        out.printf("creating %d Services with %d endpoints each ...%n", s.services(), s.endpointsPerService());
        ensureNamespace();
        long c0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore inFlight = new Semaphore(32);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < s.services(); i++) {
                int n = i;
                inFlight.acquire();
                done.add(pool.submit(() -> {
                    try {
                        client.services().namespace(NAMESPACE).create(service(n));
                        client.endpointSlices().namespace(NAMESPACE).create(slice(n, s.endpointsPerService(), 0, null));
                    } finally {
                        inFlight.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        out.printf("  created in %.1f s%n", (System.nanoTime() - c0) / 1e9);

        List<Double> syncs = Collections.synchronizedList(new ArrayList<>());
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Double> localLatencies = Collections.synchronizedList(new ArrayList<>());
        ProxyConfig config = ProxyConfig.defaults("bench-node").withTable("navis-proxy-bench")
                .withMinSyncPeriod(s.minSyncPeriod()).withPorts(-1, -1);
        long p0 = System.nanoTime();
        try (KubeProxy proxy = KubeProxy.start(client, config, nft, sysctl)) {
            Proxier proxier = proxy.proxier();
            proxier.onSync(syncs::add);
            while (proxier.lastSynced() == null) {
                Thread.sleep(5);
            }
            out.printf("first full sync through the API: %.0f ms after start (informer sync included)%n",
                    (System.nanoTime() - p0) / 1e6);
            syncs.clear();
            proxier.onProgrammingLatency(latencies::add);
            proxier.onLocalLatency(localLatencies::add);

            Random random = new Random(42);
            int[] generation = new int[s.services()];
            long interval = 1_000_000_000L / Math.max(1, s.churnPerSecond());
            long end = System.nanoTime() + s.churnTime().toNanos();
            long next = System.nanoTime();
            int changes = 0;
            java.util.concurrent.atomic.AtomicInteger applied = new java.util.concurrent.atomic.AtomicInteger();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                while (System.nanoTime() < end) {
                    long now = System.nanoTime();
                    if (now < next) {
                        Thread.sleep(Math.max(0, (next - now) / 1_000_000), (int) Math.max(0, (next - now) % 1_000_000));
                        continue;
                    }
                    next += interval;
                    int n = random.nextInt(s.services());
                    int gen;
                    synchronized (generation) {
                        gen = ++generation[n];
                    }
                    changes++;
                    pool.submit(() -> {
                        EndpointSlice current = client.endpointSlices().namespace(NAMESPACE).get("svc-" + n + "-x");
                        EndpointSlice updated = slice(n, s.endpointsPerService(), gen, Instant.now());
                        updated.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
                        client.endpointSlices().namespace(NAMESPACE).update(updated);
                        applied.incrementAndGet();
                        return null;
                    });
                }
            }
            // every accepted update carries its own trigger time: wait until each has reached the kernel
            long waitUntil = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (latencies.size() < applied.get() && System.nanoTime() < waitUntil) {
                Thread.sleep(50);
            }
            out.printf("churn: %d EndpointSlice updates sent in %d s (%d/s), %d accepted (others lost a conflict), "
                    + "%d syncs%n", changes, s.churnTime().toSeconds(), s.churnPerSecond(), applied.get(), syncs.size());
            report("network programming latency", latencies);
            report("  of which in the proxy (event received -> rules in place)", localLatencies);
            report("sync duration (partial)", syncs);
        } finally {
            cleanupNamespace(s.services());
        }
    }

    private void report(String what, List<Double> samples) {
        List<Double> sorted;
        synchronized (samples) {
            sorted = new ArrayList<>(samples);
        }
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            out.printf("%s: no samples%n", what);
            return;
        }
        out.printf("%s: n=%d p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms%n", what, sorted.size(),
                pct(sorted, 0.50) * 1000, pct(sorted, 0.90) * 1000, pct(sorted, 0.99) * 1000,
                sorted.getLast() * 1000);
    }

    private static double pct(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private void ensureNamespace() {
        try {
            client.namespaces().create(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                    .withName(NAMESPACE).endMetadata().build());
        } catch (dev.navis.client.ApiException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
        }
    }

    private void cleanupNamespace(int services) {
        try {
            client.namespaces().delete(NAMESPACE);
        } catch (RuntimeException e) {
            out.println("could not delete namespace " + NAMESPACE + ": " + e.getMessage());
        }
    }

    private static Service service(int n) {
        return new ServiceBuilder().withNewMetadata().withNamespace(NAMESPACE).withName("svc-" + n).endMetadata()
                .withNewSpec().withType("ClusterIP").addNewPort().withName("http").withProtocol("TCP").withPort(80)
                .withTargetPort(new IntOrString(8080)).endPort().endSpec().build();
    }

    /** The slice of service {@code n}; {@code generation} shifts one endpoint's address so that rules change. */
    private static EndpointSlice slice(int n, int endpoints, int generation, Instant trigger) {
        List<Endpoint> eps = new ArrayList<>();
        for (int e = 0; e < endpoints; e++) {
            String ip = e == 0 && generation > 0 ? "10.42." + (200 + generation % 50) + "." + (n % 250 + 1) : podIp(n, e);
            eps.add(new EndpointBuilder().withAddresses(ip).withNodeName("node-" + e % 3).withNewConditions()
                    .withReady(true).withServing(true).withTerminating(false).endConditions().build());
        }
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(NAMESPACE)
                .withName("svc-" + n + "-x").addToLabels("kubernetes.io/service-name", "svc-" + n).endMetadata()
                .withAddressType("IPv4").withEndpoints(eps)
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
        if (trigger != null) {
            b.editMetadata().addToAnnotations(Proxier.TRIGGER_TIME_ANNOTATION, trigger.toString()).endMetadata();
        }
        return b.build();
    }

    private static String podIp(int service, int endpoint) {
        int id = service * 16 + endpoint;
        return "10.42." + ((id >> 8) & 0xff) + "." + (id & 0xff);
    }

    private static String serviceIp(int n) {
        int id = n + 100;
        return "10.43." + ((id >> 8) & 0xff) + "." + (id & 0xff);
    }
}
