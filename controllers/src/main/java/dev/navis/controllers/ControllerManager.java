package dev.navis.controllers;

import dev.navis.client.KubeClient;
import dev.navis.client.events.EventBroadcaster;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.leaderelection.LeaderCallbacks;
import dev.navis.client.leaderelection.LeaderElectionConfig;
import dev.navis.client.leaderelection.LeaderElectionLoop;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager's place: runs the registered controllers against the API server, which is the
 * only way they talk to the rest of the cluster.
 *
 * <p>The model is client-go's: every controller's informer event handlers only enqueue keys into a
 * rate-limited work queue; worker threads take a key, re-read the newest object from an informer's lister
 * (never mutating the cached instance) and make the cluster match, retrying failed keys with backoff. All
 * controllers of a manager share one {@link SharedInformerFactory}, so each resource is listed and watched
 * once.
 *
 * <p>Only one manager per cluster works at a time: candidates run leader election on the Lease
 * {@code kube-system/kube-controller-manager}. Each time this manager becomes leader it builds every
 * registered controller afresh (a new informer factory), starts the informers, waits for their caches and
 * starts the workers; when leadership is lost it stops them and becomes a candidate again. Adding a
 * controller is one {@link ControllerRegistration} (see {@link KnownControllers}).
 *
 * <pre>{@code
 * try (ControllerManager manager = ControllerManager.create(client)) {
 *     manager.start();          // returns at once; the work happens on the manager's threads
 *     ...
 * }
 * }</pre>
 */
public final class ControllerManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerManager.class);
    public static final String LEASE_NAMESPACE = "kube-system";
    public static final String LEASE_NAME = "kube-controller-manager";
    /** Upstream's --min-resync-period: informers re-deliver their caches this often. */
    static final Duration RESYNC = Duration.ofHours(12);
    private static final Duration SYNC_WAIT = Duration.ofSeconds(5);

    private final KubeClient client;
    private final List<ControllerRegistration> registrations;
    private final LeaderElectionLoop election;
    /** One event sender for every controller and term, as kube-controller-manager's broadcaster. */
    private final EventBroadcaster events;
    private final ControllerOptions options;
    private final Object lock = new Object();
    private volatile boolean closed;
    private boolean started;
    private Term term;

    /** The controllers of one leadership term. */
    private static final class Term {
        final SharedInformerFactory informers;
        final List<Controller> controllers = new ArrayList<>();
        volatile boolean running = true;
        volatile boolean workersStarted;

        Term(SharedInformerFactory informers) {
            this.informers = informers;
        }
    }

    public ControllerManager(KubeClient client, List<ControllerRegistration> registrations,
                             LeaderElectionConfig election) {
        this(client, registrations, election, ControllerOptions.defaults());
    }

    public ControllerManager(KubeClient client, List<ControllerRegistration> registrations,
                             LeaderElectionConfig election, ControllerOptions options) {
        this.options = options;
        this.client = client;
        this.registrations = List.copyOf(registrations);
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
        }, "controller-manager");
    }

    /** Every known controller, leader election with upstream's timings and a hostname_uuid identity. */
    public static ControllerManager create(KubeClient client) {
        return create(client, ControllerOptions.defaults());
    }

    /** As {@link #create(KubeClient)}, with kube-controller-manager's options. */
    public static ControllerManager create(KubeClient client, ControllerOptions options) {
        return create(client, options, LeaderElectionConfig.Timings.UPSTREAM);
    }

    /** As {@link #create(KubeClient, ControllerOptions)}, with these leader election timings. */
    public static ControllerManager create(KubeClient client, ControllerOptions options,
                                           LeaderElectionConfig.Timings timings) {
        return new ControllerManager(client, KnownControllers.all(),
                LeaderElectionConfig.of(LEASE_NAMESPACE, LEASE_NAME, identity(), timings), options);
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

    /** True while this manager leads and its controllers' workers run (caches synced). */
    public boolean isRunning() {
        synchronized (lock) {
            return term != null && term.running && term.workersStarted;
        }
    }

    /** Stops the controllers and gives the lease up so another manager can take over at once. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        election.close();
        stopTerm();
        events.close();
    }

    private void startTerm() {
        Term t;
        try {
            synchronized (lock) {
                if (closed || term != null) {
                    return;
                }
                // built under the lock so that a concurrent stopTerm sees every controller of the term
                t = new Term(new SharedInformerFactory(client, RESYNC));
                term = t;
                ControllerContext context = new ControllerContext(client, t.informers, events, options);
                for (ControllerRegistration r : registrations) {
                    t.controllers.add(r.factory().apply(context));
                }
                t.informers.start();
            }
            while (t.running && !t.informers.waitForCacheSync(SYNC_WAIT)) {
                LOG.info("waiting for the informer caches to sync");
            }
            synchronized (lock) {
                if (!t.running) {
                    return;
                }
                for (int i = 0; i < t.controllers.size(); i++) {
                    t.controllers.get(i).run(registrations.get(i).workers());
                }
                t.workersStarted = true;
            }
            LOG.info("started controllers {}", registrations.stream().map(ControllerRegistration::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("starting the controllers failed; giving leadership up", e);
            election.resign();
        }
    }

    private void stopTerm() {
        Term t;
        synchronized (lock) {
            t = term;
            term = null;
            if (t == null) {
                return;
            }
            t.running = false;
        }
        for (Controller c : t.controllers) {
            try {
                c.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("stopping a controller failed", e);
            }
        }
        t.informers.shutdown();
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
