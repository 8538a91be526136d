package dev.navis.dns;

import dev.navis.client.KubeClient;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedInformerFactory;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's DNS server (CoreDNS with its kubernetes and forward plugins, in one class): watches Services
 * and EndpointSlices, answers for {@code cluster.local} and the reverse names of cluster addresses, forwards
 * the rest to the host's resolvers.
 *
 * <pre>{@code
 * try (ClusterDns dns = ClusterDns.start(client, ClusterDns.Options.defaults(nodeIp, 10053))) {
 *     KubeDnsService.ensure(client, nodeIp, dns.port());   // kube-system/kube-dns at 10.43.0.10 → here
 * }
 * }</pre>
 */
public final class ClusterDns implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterDns.class);
    public static final String DEFAULT_ZONE = "cluster.local";

    private final SharedInformerFactory informers;
    private final Lister<Service> services;
    private final Lister<EndpointSlice> slices;
    private final String zone;
    private final Forwarder forwarder;
    private final Object lock = new Object();
    private volatile DnsIndex index;
    private volatile boolean stale = true;
    private DnsServer server;

    /**
     * @param upstreams where other names go; {@link Forwarder#fromResolvConf} reads the host's
     * @param timeout   how long to wait for an upstream before answering SERVFAIL
     */
    public record Options(InetAddress address, int port, String zone, List<InetSocketAddress> upstreams,
                          Duration timeout) {
        public static Options defaults(InetAddress address, int port) {
            return new Options(address, port, DEFAULT_ZONE,
                    Forwarder.fromResolvConf(java.nio.file.Path.of("/etc/resolv.conf"), KubeDnsService.CLUSTER_IP),
                    Duration.ofSeconds(2));
        }

        public Options withUpstreams(List<InetSocketAddress> u, Duration t) {
            return new Options(address, port, zone, u, t);
        }
    }

    private ClusterDns(SharedInformerFactory informers, String zone, Forwarder forwarder) {
        this.informers = informers;
        this.services = informers.lister(Service.class);
        this.slices = informers.lister(EndpointSlice.class);
        this.zone = zone;
        this.forwarder = forwarder;
    }

    /** Starts the informers, waits for their caches, then serves. */
    public static ClusterDns start(KubeClient client, Options options) throws IOException, InterruptedException {
        SharedInformerFactory informers = new SharedInformerFactory(client, Duration.ZERO);
        ClusterDns dns = new ClusterDns(informers, options.zone(), new Forwarder(options.upstreams(), options.timeout()));
        ResourceEventHandler<Object> changed = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object o) {
                dns.stale = true;
            }

            @Override
            public void onUpdate(Object o, Object n) {
                dns.stale = true;
            }

            @Override
            public void onDelete(Object o, boolean unknown) {
                dns.stale = true;
            }
        };
        informers.informer(Service.class).addEventHandler(cast(changed), false);
        informers.informer(EndpointSlice.class).addEventHandler(cast(changed), false);
        informers.start();
        if (!informers.waitForCacheSync(Duration.ofSeconds(60))) {
            informers.shutdown();
            throw new IOException("Services and EndpointSlices did not sync within 60 s");
        }
        try {
            dns.server = DnsServer.start(new QueryHandler(dns::index, dns.forwarder), options.address(), options.port());
        } catch (IOException e) {
            informers.shutdown();
            throw e;
        }
        LOG.info("cluster DNS for {} serving on {}:{} (forwarding to {})", options.zone(), options.address().getHostAddress(),
                dns.port(), options.upstreams());
        return dns;
    }

    @SuppressWarnings("unchecked")
    private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> h) {
        return (ResourceEventHandler<T>) (ResourceEventHandler<?>) h;
    }

    /** The current records; rebuilt on the first query after a change (a build of 10,000 Services takes ms). */
    public DnsIndex index() {
        DnsIndex current = index;
        if (current != null && !stale) {
            return current;
        }
        synchronized (lock) {
            if (index == null || stale) {
                stale = false; // before the build: a change during it marks the index stale again
                index = DnsIndex.build(zone, services.list(), slices.list());
            }
            return index;
        }
    }

    public int port() {
        return server.port();
    }

    public InetAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        informers.shutdown();
        forwarder.close();
    }
}
