package dev.navis.proxy;

import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.proxy.nftables.Nft;
import dev.navis.proxy.nftables.NftablesBackend;
import dev.navis.proxy.nftables.NftablesRules;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel's nftables table in step with the Services and EndpointSlices in the informers' caches.
 *
 * <p>Informer handlers only note that something changed (and, for EndpointSlices, the
 * {@code endpoints.kubernetes.io/last-change-trigger-time} the network-programming latency is measured from)
 * and wake the sync thread. The sync thread runs on average at most once per {@code minSyncPeriod} (with a burst
 * of two) and at least once per {@code syncPeriod} (upstream's BoundedFrequencyRunner): it rebuilds the whole desired ruleset from the
 * listers, diffs it against the last one applied and hands nft only the difference, in one transaction. No
 * difference, no nft call. The first sync, and any sync after a failure or after the table vanished,
 * replaces the table wholesale.
 */
public final class Proxier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Proxier.class);
    public static final String TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final ProxyConfig config;
    private final Lister<Service> services;
    private final Lister<EndpointSlice> slices;
    private final RuleBackend backend;
    private final ProxyMetrics metrics;
    private final Conntrack conntrack;
    private final Object lock = new Object();
    private final List<Instant> pendingTriggers = new ArrayList<>();
    /** When each pending trigger reached this proxy (System.nanoTime), for {@link #onLocalLatency}. */
    private final List<Long> pendingArrivals = new ArrayList<>();
    private boolean dirty = true;
    private long dirtySinceNanos = System.nanoTime();
    private volatile boolean stopped;
    private Thread thread;
    private volatile java.util.function.DoubleConsumer programmingLatencyListener = latency -> { };
    private volatile java.util.function.DoubleConsumer localLatencyListener = latency -> { };
    private volatile java.util.function.DoubleConsumer syncListener = seconds -> { };

    // touched only by the sync (under syncLock)
    private final Object syncLock = new Object();
    private List<ServicePort> appliedTable = List.of();
    private final ServiceTable.Incremental serviceTable;
    private boolean needFullSync = true;
    private String lastTransaction = "";
    private volatile Instant lastSynced;
    private long lastSyncNanos;
    private long lastTableCheckNanos = System.nanoTime();

    /**
     * Deletes conntrack entries: UDP has no connection to end, so without this a client keeps reaching a
     * removed endpoint through its old NAT entry for as long as it keeps sending.
     */
    @FunctionalInterface
    public interface Conntrack {
        /** Runs {@code conntrack -D} with these arguments; "nothing to delete" is not an error. */
        void delete(List<String> args);

        Conntrack NONE = args -> { };

        /** The conntrack binary behind a command prefix (empty for the host, ip netns exec for a netns). */
        static Conntrack command(List<String> prefix) {
            return args -> {
                List<String> cmd = new ArrayList<>(prefix);
                cmd.add("conntrack");
                cmd.add("-D");
                cmd.addAll(args);
                try {
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (IOException e) {
                    LOG.debug("conntrack {} failed", args, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
        }
    }

    public Proxier(ProxyConfig config, Lister<Service> services, Lister<EndpointSlice> slices, Nft nft,
                   ProxyMetrics metrics) {
        this(config, services, slices, nft, metrics, Conntrack.NONE);
    }

    public Proxier(ProxyConfig config, Lister<Service> services, Lister<EndpointSlice> slices, Nft nft,
                   ProxyMetrics metrics, Conntrack conntrack) {
        this(config, services, slices, new NftablesBackend(nft, new NftablesRules.NftConfig(config.table(),
                config.clusterCIDR(), config.serviceCIDR(), config.localhostNodePorts())), metrics, conntrack);
    }

    public Proxier(ProxyConfig config, Lister<Service> services, Lister<EndpointSlice> slices, RuleBackend backend,
                   ProxyMetrics metrics, Conntrack conntrack) {
        this.config = config;
        this.services = services;
        this.slices = slices;
        this.backend = backend;
        this.metrics = metrics;
        this.conntrack = conntrack;
        this.serviceTable = new ServiceTable.Incremental(config.hostname());
    }

    public ResourceEventHandler<Service> serviceHandler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service s) {
                changed(true, null);
            }

            @Override
            public void onUpdate(Service o, Service n) {
                if (!sameVersion(o, n)) {
                    changed(true, null);
                }
            }

            @Override
            public void onDelete(Service s, boolean unknown) {
                changed(true, null);
            }
        };
    }

    public ResourceEventHandler<EndpointSlice> endpointSliceHandler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice s) {
                if (programmed(s)) {
                    changed(false, triggerTime(s, null));
                }
            }

            @Override
            public void onUpdate(EndpointSlice o, EndpointSlice n) {
                if (!sameVersion(o, n) && programmed(n)) {
                    changed(false, triggerTime(n, o));
                }
            }

            @Override
            public void onDelete(EndpointSlice s, boolean unknown) {
                if (programmed(s)) {
                    changed(false, null);
                }
            }
        };
    }

    /**
     * False for the slices of headless Services and of Services another proxy handles, which upstream's
     * kube-proxy does not even watch (its informer's label selector): their changes need no sync, and a sync
     * for them would spend the rate limit's burst that the next real change may need.
     */
    static boolean programmed(EndpointSlice s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        return labels == null || (!labels.containsKey(HEADLESS_LABEL) && !labels.containsKey(ServiceTable.SERVICE_PROXY_NAME_LABEL));
    }

    private static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

    private static boolean sameVersion(io.fabric8.kubernetes.api.model.HasMetadata a,
                                       io.fabric8.kubernetes.api.model.HasMetadata b) {
        String x = a.getMetadata().getResourceVersion();
        return x != null && x.equals(b.getMetadata().getResourceVersion());
    }

    /** The slice's trigger time when it is new (not the one the old version already had), else null. */
    static Instant triggerTime(EndpointSlice slice, EndpointSlice old) {
        String now = annotation(slice);
        if (now == null || (old != null && now.equals(annotation(old)))) {
            return null;
        }
        try {
            return Instant.parse(now);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String annotation(EndpointSlice s) {
        Map<String, String> a = s.getMetadata().getAnnotations();
        return a == null ? null : a.get(TRIGGER_TIME_ANNOTATION);
    }

    private void changed(boolean service, Instant trigger) {
        (service ? metrics.serviceChanges : metrics.endpointChanges).inc();
        metrics.lastQueued.set(System.currentTimeMillis() / 1000.0);
        synchronized (lock) {
            if (trigger != null) {
                pendingTriggers.add(trigger);
                pendingArrivals.add(System.nanoTime());
            }
            if (!dirty) {
                dirty = true;
                dirtySinceNanos = System.nanoTime();
            }
            lock.notifyAll();
        }
    }

    /** Starts the sync thread; call once the informers' caches have synced. */
    public synchronized void start() {
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("proxier-sync").start(this::loop);
        }
    }

    private void loop() {
        while (!stopped) {
            try {
                waitForWork();
            } catch (InterruptedException e) {
                return;
            }
            if (stopped) {
                return;
            }
            if (!syncProxyRules()) {
                sleepQuietly(RETRY);
            }
        }
    }

    /**
     * Waits until a sync is due: something changed and the rate allows it, or the sync period passed. The rate
     * is upstream's BoundedFrequencyRunner's: a bucket of {@value #BURST_SYNCS} syncs refilled at one per
     * minSyncPeriod, so after a quiet spell two syncs may follow at once (a change that lands while one
     * runs is not held back for a whole minSyncPeriod) and a stream of changes gets one sync per period.
     */
    private void waitForWork() throws InterruptedException {
        long minNanos = config.minSyncPeriod().toNanos();
        long maxNanos = config.syncPeriod().toNanos();
        synchronized (lock) {
            while (!stopped) {
                long now = System.nanoTime();
                if (minNanos <= 0) {
                    tokens = BURST_SYNCS;
                } else {
                    tokens = Math.min(BURST_SYNCS, tokens + (double) (now - tokensAt) / minNanos);
                }
                tokensAt = now;
                long sinceLast = now - lastSyncNanos;
                if (dirty && tokens >= 1) {
                    tokens -= 1;
                    return;
                }
                if (sinceLast >= maxNanos) {
                    return;
                }
                long waitNanos = dirty ? (long) Math.ceil((1 - tokens) * minNanos) : maxNanos - sinceLast;
                lock.wait(Math.max(1, Math.min(waitNanos, maxNanos - sinceLast) / 1_000_000));
            }
        }
    }

    /** Upstream's burstSyncs. */
    static final int BURST_SYNCS = 2;
    /** Syncs the rate allows now (guarded by {@link #lock}). */
    private double tokens = BURST_SYNCS;
    private long tokensAt = System.nanoTime();

    private void sleepQuietly(Duration d) {
        synchronized (lock) {
            try {
                lock.wait(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One sync: rebuild the desired ruleset, apply its difference. Returns false when nft refused (the next
     * sync then replaces the whole table).
     */
    public boolean syncProxyRules() {
        synchronized (syncLock) {
            long start = System.nanoTime();
            List<Instant> triggers;
            List<Long> arrivals;
            synchronized (lock) {
                triggers = new ArrayList<>(pendingTriggers);
                pendingTriggers.clear();
                arrivals = new ArrayList<>(pendingArrivals);
                pendingArrivals.clear();
                dirty = false;
            }
            lastSyncNanos = start;
            boolean full = needFullSync;
            try {
                if (!full && start - lastTableCheckNanos >= config.syncPeriod().toNanos()) {
                    lastTableCheckNanos = start;
                    if (!backend.intact()) {
                        LOG.warn("the proxy's rules ({}) are gone; recreating them", backend.name());
                        full = true;
                    }
                }
                List<ServicePort> table = serviceTable.build(services.list(), slices.list());
                String tx = backend.sync(table, full);
                if (!tx.isEmpty()) {
                    lastTransaction = tx;
                }
                needFullSync = false;
                clearStaleUdp(appliedTable, table);
                appliedTable = table;
            } catch (IOException | RuntimeException e) {
                LOG.error("syncing the proxy's rules ({}) failed; retrying with a full sync", backend.name(), e);
                metrics.syncFailures.inc();
                needFullSync = true;
                synchronized (lock) {
                    pendingTriggers.addAll(triggers);
                    pendingArrivals.addAll(arrivals);
                    dirty = true;
                }
                return false;
            }
            long end = System.nanoTime();
            double seconds = (end - start) / 1e9;
            metrics.syncDuration.observe(seconds);
            syncListener.accept(seconds);
            (full ? metrics.fullSyncDuration : metrics.partialSyncDuration).observe(seconds);
            Instant now = Instant.now();
            lastSynced = now;
            metrics.lastSync.set(now.toEpochMilli() / 1000.0);
            for (Instant t : triggers) {
                double latency = Duration.between(t, now).toNanos() / 1e9;
                if (latency >= 0) {
                    metrics.networkProgramming.observe(latency);
                    programmingLatencyListener.accept(latency);
                }
            }
            for (long arrival : arrivals) {
                localLatencyListener.accept((end - arrival) / 1e9);
            }
            return true;
        }
    }

    /** Also hands every network-programming latency (seconds) to {@code listener}; for benchmarks. */
    public void onProgrammingLatency(java.util.function.DoubleConsumer listener) {
        programmingLatencyListener = listener;
    }

    /**
     * Hands, for every change with a trigger time, the seconds from its event reaching this proxy to its rules
     * in place: the proxy's own share of the programming latency (the rest is the API server and the watch);
     * for benchmarks.
     */
    public void onLocalLatency(java.util.function.DoubleConsumer listener) {
        localLatencyListener = listener;
    }

    /** Also hands every successful sync's duration (seconds) to {@code listener}; for benchmarks. */
    public void onSync(java.util.function.DoubleConsumer listener) {
        syncListener = listener;
    }

    /**
     * For every UDP service port, removes the NAT entries towards endpoints it no longer uses (upstream's
     * conntrack cleanup), via its ClusterIP, external addresses and NodePort.
     */
    private void clearStaleUdp(List<ServicePort> before, List<ServicePort> after) {
        Map<String, ServicePort> now = new java.util.HashMap<>();
        for (ServicePort sp : after) {
            if (sp.protocol().equals("udp")) {
                now.put(sp.displayName(), sp);
            }
        }
        for (ServicePort old : before) {
            if (!old.protocol().equals("udp")) {
                continue;
            }
            ServicePort current = now.get(old.displayName());
            java.util.Set<String> kept = new java.util.HashSet<>();
            if (current != null) {
                current.clusterEndpoints().forEach(e -> kept.add(e.ip()));
                current.localEndpoints().forEach(e -> kept.add(e.ip()));
            }
            java.util.Set<String> gone = new java.util.TreeSet<>();
            old.clusterEndpoints().forEach(e -> gone.add(e.ip()));
            old.localEndpoints().forEach(e -> gone.add(e.ip()));
            gone.removeAll(kept);
            for (String ip : gone) {
                conntrack.delete(List.of("-p", "udp", "--orig-dst", old.clusterIP(), "--dst-nat", ip));
                for (String external : old.externalIPs()) {
                    conntrack.delete(List.of("-p", "udp", "--orig-dst", external, "--dst-nat", ip));
                }
                for (String lb : old.loadBalancerIPs()) {
                    conntrack.delete(List.of("-p", "udp", "--orig-dst", lb, "--dst-nat", ip));
                }
                if (old.nodePort() > 0) {
                    conntrack.delete(List.of("-p", "udp", "--dport", String.valueOf(old.nodePort()), "--dst-nat", ip));
                }
            }
        }
    }

    /** The last transaction given to nft ("" before the first); for tests and debugging. */
    public String lastTransaction() {
        synchronized (syncLock) {
            return lastTransaction;
        }
    }

    /** When rules were last in step, or null. */
    public Instant lastSynced() {
        return lastSynced;
    }

    /**
     * Healthy as upstream's ProxierHealthServer: no change has been waiting for a sync for longer than twice
     * the sync period.
     */
    public boolean healthy() {
        synchronized (lock) {
            if (!dirty) {
                return true;
            }
            return System.nanoTime() - dirtySinceNanos < 2 * config.syncPeriod().toNanos();
        }
    }

    /** Stops the sync thread; the table stays (see {@link #cleanup()}). */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join(10_000);
        }
    }

    /** Removes the proxy's rules. */
    public void cleanup() throws IOException {
        synchronized (syncLock) {
            backend.cleanup();
            needFullSync = true;
        }
    }

    public RuleBackend backend() {
        return backend;
    }
}
