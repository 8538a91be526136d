package dev.navis.scheduler;

import dev.navis.client.KubeClient;
import dev.navis.client.leaderelection.LeaderCallbacks;
import dev.navis.client.leaderelection.LeaderElectionConfig;
import dev.navis.client.leaderelection.LeaderElectionLoop;
import dev.navis.scheduler.config.KubeSchedulerConfiguration;
import dev.navis.scheduler.events.ApiEventRecorder;
import dev.navis.scheduler.framework.runtime.Registry;
import dev.navis.scheduler.metrics.SchedulerMetrics;
import java.net.InetAddress;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-scheduler as a process role: campaigns for the Lease (kube-system/kube-scheduler by default) and
 * runs a {@link Scheduler} only while it leads, so several instances can run and only one binds. Each term
 * starts a fresh Scheduler (new informers, cache and queue); losing the lease stops it before another
 * candidate can take over (the lease outlives the renew deadline).
 *
 * <pre>{@code
 * try (SchedulerServer s = new SchedulerServer(client, config, InTreePlugins.registry())) {
 *     s.start();   // returns at once
 * }
 * }</pre>
 */
public final class SchedulerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerServer.class);

    private final KubeClient client;
    private final KubeSchedulerConfiguration config;
    private final Registry registry;
    private final String identity;
    private final SchedulerMetrics metrics = new SchedulerMetrics();
    private final ApiEventRecorder recorder;
    private final Object lock = new Object();
    private volatile boolean closed;
    private final LeaderElectionLoop election;
    private boolean started;
    private Scheduler scheduler;

    public SchedulerServer(KubeClient client, KubeSchedulerConfiguration config, Registry registry) {
        this(client, client, config, registry, defaultIdentity());
    }

    /**
     * @param eventClient the client Events are written with; a separate one (as upstream's eventClient) keeps
     *                    events from eating into the rate limit of bindings
     */
    public SchedulerServer(KubeClient client, KubeClient eventClient, KubeSchedulerConfiguration config,
                           Registry registry, String identity) {
        this.client = client;
        this.config = config;
        this.registry = registry;
        this.identity = identity;
        // build one scheduler now so a bad configuration (unknown plugin, bad args) fails at startup
        try {
            new Scheduler(client, config, registry, new SchedulerMetrics(),
                    dev.navis.scheduler.framework.EventRecorder.NONE).close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        this.recorder = new ApiEventRecorder(eventClient, KubeSchedulerConfiguration.DEFAULT_SCHEDULER_NAME,
                KubeSchedulerConfiguration.DEFAULT_SCHEDULER_NAME + "-" + identity);
        KubeSchedulerConfiguration.LeaderElection le = config.leaderElection();
        this.election = new LeaderElectionLoop(client, new LeaderElectionConfig(le.resourceNamespace(),
                le.resourceName(), identity, le.leaseDuration(), le.renewDeadline(), le.retryPeriod(), true),
                new LeaderCallbacks() {
                    @Override
                    public void onStartedLeading() {
                        startTerm();
                    }

                    @Override
                    public void onStoppedLeading() {
                        stopTerm();
                    }
                }, "scheduler");
    }

    public SchedulerMetrics metrics() {
        return metrics;
    }

    public String identity() {
        return identity;
    }

    /** Starts campaigning (or scheduling at once when leader election is off); returns immediately. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        if (config.leaderElection().leaderElect()) {
            election.start();
        } else {
            Thread.ofPlatform().daemon().name("scheduler-start").start(this::startTerm);
        }
    }

    /** True while this instance leads and its scheduling loop runs. */
    public boolean isLeading() {
        synchronized (lock) {
            return scheduler != null;
        }
    }

    /** The running scheduler of the current term, or null. */
    public Scheduler scheduler() {
        synchronized (lock) {
            return scheduler;
        }
    }

    private void startTerm() {
        Scheduler s;
        synchronized (lock) {
            if (closed || scheduler != null) {
                return;
            }
            s = new Scheduler(client, config, registry, metrics, recorder);
            scheduler = s;
        }
        try {
            s.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("starting the scheduler failed; giving leadership up", e);
            election.resign();
        }
    }

    private void stopTerm() {
        Scheduler s;
        synchronized (lock) {
            s = scheduler;
            scheduler = null;
        }
        if (s != null) {
            try {
                s.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops scheduling and releases the lease so a standby takes over at once. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        election.close();
        stopTerm();
        recorder.close();
    }

    public static String defaultIdentity() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + "_" + UUID.randomUUID();
    }
}
