package dev.navis.cloud;

import dev.navis.client.KubeClient;
import dev.navis.client.events.EventBroadcaster;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.leaderelection.LeaderCallbacks;
import dev.navis.client.leaderelection.LeaderElectionConfig;
import dev.navis.client.leaderelection.LeaderElectionLoop;
import dev.navis.client.util.Clock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cloud-controller-manager's place: the service-lb controller and the cloud node controller of one
 * {@link CloudProvider}, run by the leader of the Lease {@code kube-system/cloud-controller-manager}. Each
 * term builds the controllers afresh over a new informer factory; losing the lease stops them and the
 * manager campaigns again. Closing releases the lease.
 */
public final class CloudControllerManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CloudControllerManager.class);
    public static final String LEASE_NAMESPACE = "kube-system";
    public static final String LEASE_NAME = "cloud-controller-manager";
    /** Upstream's --concurrent-service-syncs. */
    static final int SERVICE_WORKERS = 1;
    private static final Duration SYNC_WAIT = Duration.ofSeconds(5);

    private final KubeClient client;
    private final CloudProvider provider;
    private final LeaderElectionLoop election;
    private final EventBroadcaster events;
    private final Object lock = new Object();
    private volatile boolean closed;
    private boolean started;
    private Term term;
    private volatile boolean running;

    private static final class Term {
        SharedInformerFactory factory;
        ServiceLbController services;
        CloudNodeController nodes;
        volatile boolean active = true;
    }

    public CloudControllerManager(KubeClient client, CloudProvider provider, LeaderElectionConfig election) {
        this.client = client;
        this.provider = provider;
        this.events = new EventBroadcaster(client);
        this.election = new LeaderElectionLoop(client, election, new LeaderCallbacks() {
            @Override
            public void onStartedLeading() {
                startTerm();
            }

            @Override
            public void onStoppedLeading() {
                stopTerm();
            }
        }, "cloud-controller-manager");
    }

    /** Leader election with upstream's timings and a hostname_uuid identity. */
    public static CloudControllerManager create(KubeClient client, CloudProvider provider) {
        return create(client, provider, LeaderElectionConfig.Timings.UPSTREAM);
    }

    /** As {@link #create(KubeClient, CloudProvider)}, with these leader election timings. */
    public static CloudControllerManager create(KubeClient client, CloudProvider provider,
                                                LeaderElectionConfig.Timings timings) {
        return new CloudControllerManager(client, provider,
                LeaderElectionConfig.of(LEASE_NAMESPACE, LEASE_NAME, identity(), timings));
    }

    /** Starts campaigning for leadership; returns at once. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        events.start();
        election.start();
    }

    /** True while this manager leads and its controllers run. */
    public boolean isRunning() {
        return running;
    }

    public CloudProvider provider() {
        return provider;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        election.close();
        stopTerm();
        events.close();
    }

    private void startTerm() {
        Term t = new Term();
        try {
            synchronized (lock) {
                if (closed || term != null) {
                    return;
                }
                term = t;
                t.factory = new SharedInformerFactory(client, Duration.ofHours(12));
                if (provider.loadBalancer().isPresent()) {
                    t.services = new ServiceLbController(client, t.factory, provider.loadBalancer().get(),
                            events.recorder("service-controller"), ServiceLbController.DEFAULT_CLUSTER_NAME, Clock.SYSTEM);
                }
                if (provider.instances().isPresent()) {
                    t.nodes = new CloudNodeController(client, t.factory, provider.instances().get(), Clock.SYSTEM);
                }
                t.factory.start();
            }
            while (t.active && !t.factory.waitForCacheSync(SYNC_WAIT)) {
                LOG.info("waiting for the informer caches to sync");
            }
            synchronized (lock) {
                if (!t.active) {
                    return;
                }
                if (t.services != null) {
                    t.services.run(SERVICE_WORKERS);
                }
                if (t.nodes != null) {
                    t.nodes.run(1);
                }
                running = true;
            }
            LOG.info("started the cloud controllers of provider {}", provider.providerName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("starting the cloud controllers failed; giving leadership up", e);
            election.resign();
        }
    }

    private void stopTerm() {
        Term t;
        synchronized (lock) {
            t = term;
            term = null;
            running = false;
            if (t == null) {
                return;
            }
            t.active = false;
        }
        try {
            if (t.services != null) {
                t.services.stop();
            }
            if (t.nodes != null) {
                t.nodes.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.factory != null) {
            t.factory.shutdown();
        }
    }

    private static String identity() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + "_" + UUID.randomUUID();
    }
}
