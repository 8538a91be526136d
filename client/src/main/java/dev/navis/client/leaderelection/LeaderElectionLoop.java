package dev.navis.client.leaderelection;

import dev.navis.client.KubeClient;
import dev.navis.client.util.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A candidate that campaigns for one Lease for as long as it runs: term after term, a {@link LeaderElector}
 * acquires the lease, calls {@link LeaderCallbacks#onStartedLeading()}, renews, and on losing the lease calls
 * {@link LeaderCallbacks#onStoppedLeading()}; then, unless closed, the candidate waits a retry period and
 * campaigns again. This is the loop every leader-elected component (controller manager, scheduler, cloud
 * controller manager) runs; upstream's binaries exit on a lost lease instead, which a process supervisor turns
 * into the same thing.
 *
 * <pre>{@code
 * LeaderElectionLoop loop = new LeaderElectionLoop(client,
 *         LeaderElectionConfig.defaults("kube-system", "kube-scheduler", identity), callbacks, "scheduler");
 * loop.start();   // returns at once; callbacks run as leadership comes and goes
 * loop.close();   // stops the current term and releases the lease so a standby takes over at once
 * }</pre>
 */
public final class LeaderElectionLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElectionLoop.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(15);

    private final KubeClient client;
    private final LeaderElectionConfig config;
    private final LeaderCallbacks callbacks;
    private final Clock clock;
    private final String component;
    private volatile boolean closed;
    private volatile LeaderElector elector;
    private Thread thread;

    /**
     * @param component names the thread and the log lines, e.g. "scheduler"
     */
    public LeaderElectionLoop(KubeClient client, LeaderElectionConfig config, LeaderCallbacks callbacks, Clock clock,
                              String component) {
        this.client = client;
        this.config = config;
        this.callbacks = callbacks;
        this.clock = clock;
        this.component = component;
    }

    public LeaderElectionLoop(KubeClient client, LeaderElectionConfig config, LeaderCallbacks callbacks,
                              String component) {
        this(client, config, callbacks, Clock.SYSTEM, component);
    }

    public LeaderElectionConfig config() {
        return config;
    }

    /** Starts campaigning on a daemon thread; returns at once. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = Thread.ofPlatform().daemon().name(component + "-election").start(this::campaign);
    }

    /** True while this candidate holds the lease (as last observed). */
    public boolean isLeader() {
        LeaderElector e = elector;
        return e != null && e.isLeader();
    }

    /** The last observed holder of the lease, "" if none. */
    public String leader() {
        LeaderElector e = elector;
        return e == null ? "" : e.leader();
    }

    /**
     * Ends the current term (the lease is released, onStoppedLeading runs) and campaigns again after a retry
     * period: for a leader whose work failed to start.
     */
    public void resign() {
        LeaderElector e = elector;
        if (e != null) {
            e.stop();
        }
    }

    private void campaign() {
        while (!closed) {
            LeaderElector e = new LeaderElector(client, config, new LeaderCallbacks() {
                @Override
                public void onStartedLeading() {
                    LOG.info("{}: {} acquired lease {}/{}", component, config.identity(), config.namespace(), config.name());
                    callbacks.onStartedLeading();
                }

                @Override
                public void onStoppedLeading() {
                    callbacks.onStoppedLeading();
                }

                @Override
                public void onNewLeader(String identity) {
                    LOG.info("{} leader is now {}", component, identity);
                    callbacks.onNewLeader(identity);
                }
            }, clock);
            elector = e;
            if (closed) {
                return;
            }
            e.run();
            if (!closed) {
                LOG.warn("{}: {} is not leading any more; campaigning again", component, config.identity());
                try {
                    clock.sleep(config.retryPeriod().toNanos());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Stops campaigning; a leader stops its term and releases the lease. Waits up to 15 s for that. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        LeaderElector e = elector;
        if (e != null) {
            e.stop();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join(JOIN_TIMEOUT);
        }
    }
}
