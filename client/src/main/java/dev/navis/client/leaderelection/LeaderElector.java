package dev.navis.client.leaderelection;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.ResourceClient;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package.
 *
 * <p>The lease records the holder, the lease duration, acquire/renew times (MicroTime) and the number of
 * transitions. A candidate takes the lease when it is free, or when the record has not changed for a
 * whole lease duration as measured on the candidate's own clock (it never compares the holder's
 * timestamps with its own clock, so clock skew between machines does not matter). Writes use the Lease's
 * resourceVersion, so of two candidates racing only one succeeds.
 *
 * <pre>{@code
 * LeaderElector elector = new LeaderElector(client, LeaderElectionConfig.defaults("kube-system",
 *         "kube-scheduler", identity), callbacks, Clock.SYSTEM);
 * elector.run();   // blocks: acquires, renews, and returns when leadership is lost or stop() is called
 * }</pre>
 */
public final class LeaderElector {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElector.class);
    private static final double JITTER = 1.2;

    private final ResourceClient<Lease> leases;
    private final LeaderElectionConfig config;
    private final LeaderCallbacks callbacks;
    private final Clock clock;
    private final Object sleepLock = new Object();
    private volatile boolean stopped;
    private volatile String observedLeader = "";
    private LeaseSpec observedRecord;
    private String observedResourceVersion;
    private long observedTime;
    /** When the observed record expires unless it changes (nanoTime), 0 if none was observed held. */
    private long observedExpiry;

    public LeaderElector(KubeClient client, LeaderElectionConfig config, LeaderCallbacks callbacks, Clock clock) {
        this.leases = client.leases().namespace(config.namespace());
        this.config = config;
        this.callbacks = callbacks;
        this.clock = clock;
    }

    /**
     * Acquires the lease (retrying every retryPeriod), then renews it until renewal fails for renewDeadline
     * or {@link #stop()} is called. Calls onStartedLeading when acquired and onStoppedLeading when done.
     */
    public void run() {
        try {
            if (!acquire()) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Thread.ofVirtual().name("leader-" + config.name()).start(callbacks::onStartedLeading);
        try {
            renew();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (stopped && config.releaseOnCancel()) {
                release();
            }
            callbacks.onStoppedLeading();
        }
    }

    /** Ends {@link #run()}: a waiting candidate gives up, a leader stops renewing (and releases). */
    public void stop() {
        stopped = true;
        synchronized (sleepLock) {
            sleepLock.notifyAll();
        }
    }

    public boolean isLeader() {
        return config.identity().equals(observedLeader);
    }

    /** The last observed holder, "" if none. */
    public String leader() {
        return observedLeader;
    }

    private boolean acquire() throws InterruptedException {
        while (!stopped) {
            if (tryAcquireOrRenew()) {
                return true;
            }
            sleep(untilNextAttempt());
        }
        return false;
    }

    /**
     * A jittered retry period, but no later than the moment the observed record expires: a standby then tries
     * right at the expiry instead of up to a retry period after it (the takeover comes that much sooner).
     */
    synchronized long untilNextAttempt() {
        long retry = jittered(config.retryPeriod().toNanos());
        long untilExpiry = observedExpiry - clock.nanoTime();
        return untilExpiry > 0 ? Math.min(retry, untilExpiry) : retry;
    }

    private void renew() throws InterruptedException {
        while (!stopped) {
            long deadline = clock.nanoTime() + config.renewDeadline().toNanos();
            boolean renewed = false;
            while (!stopped && clock.nanoTime() < deadline) {
                if (tryAcquireOrRenew()) {
                    renewed = true;
                    break;
                }
                sleep(config.retryPeriod().toNanos());
            }
            if (stopped) {
                return;
            }
            if (!renewed) {
                LOG.info("{}: failed to renew lease {}/{} within {}", config.identity(), config.namespace(),
                        config.name(), config.renewDeadline());
                return;
            }
            sleep(config.retryPeriod().toNanos());
        }
    }

    /**
     * One attempt: create the lease if missing, renew it if ours, take it over if its record has not
     * changed for a lease duration. True when this candidate holds the lease afterwards.
     */
    public synchronized boolean tryAcquireOrRenew() {
        ZonedDateTime now = microNow();
        Lease lease;
        try {
            lease = leases.get(config.name());
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                LOG.warn("{}: error retrieving lease {}/{}: {}", config.identity(), config.namespace(), config.name(),
                        e.getMessage());
                return false;
            }
            return create(now);
        } catch (RuntimeException e) {
            LOG.warn("{}: error retrieving lease: {}", config.identity(), e.toString());
            return false;
        }
        LeaseSpec spec = lease.getSpec() == null ? new LeaseSpec() : lease.getSpec();
        if (!Objects.equals(spec, observedRecord)) {
            observedRecord = spec;
            observedTime = clock.nanoTime();
        }
        observedResourceVersion = lease.getMetadata().getResourceVersion();
        String holder = spec.getHolderIdentity() == null ? "" : spec.getHolderIdentity();
        observe(holder);
        int duration = spec.getLeaseDurationSeconds() == null ? 0 : spec.getLeaseDurationSeconds();
        observedExpiry = holder.isEmpty() ? 0 : observedTime + duration * 1_000_000_000L;
        boolean held = !holder.isEmpty() && clock.nanoTime() < observedExpiry;
        boolean mine = config.identity().equals(holder);
        if (held && !mine) {
            return false;
        }
        LeaseSpec next = new LeaseSpec();
        next.setHolderIdentity(config.identity());
        next.setLeaseDurationSeconds((int) config.leaseDuration().toSeconds());
        next.setRenewTime(now);
        int transitions = spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions();
        if (mine) {
            next.setAcquireTime(spec.getAcquireTime());
            next.setLeaseTransitions(transitions);
        } else {
            next.setAcquireTime(now);
            next.setLeaseTransitions(transitions + 1);
        }
        lease.setSpec(next);
        try {
            Lease updated = leases.update(lease);
            recordWritten(updated);
            return true;
        } catch (ApiException e) {
            LOG.info("{}: failed to update lease {}/{}: {}", config.identity(), config.namespace(), config.name(),
                    e.getMessage());
            return false;
        } catch (RuntimeException e) {
            LOG.warn("{}: failed to update lease: {}", config.identity(), e.toString());
            return false;
        }
    }

    private boolean create(ZonedDateTime now) {
        Lease lease = new LeaseBuilder().withNewMetadata().withName(config.name()).withNamespace(config.namespace())
                .endMetadata().withNewSpec().withHolderIdentity(config.identity())
                .withLeaseDurationSeconds((int) config.leaseDuration().toSeconds()).withAcquireTime(now)
                .withRenewTime(now).withLeaseTransitions(0).endSpec().build();
        try {
            recordWritten(leases.create(lease));
            return true;
        } catch (RuntimeException e) {
            LOG.info("{}: failed to create lease {}/{}: {}", config.identity(), config.namespace(), config.name(),
                    e.getMessage());
            return false;
        }
    }

    /**
     * Gives the lease up: holder cleared and a 1 s duration, so the next candidate takes it on its next try
     * instead of waiting for expiry (client-go's release()).
     */
    synchronized boolean release() {
        if (!isLeader()) {
            return true;
        }
        ZonedDateTime now = microNow();
        try {
            Lease lease = leases.get(config.name());
            if (!config.identity().equals(lease.getSpec().getHolderIdentity())) {
                return true;
            }
            LeaseSpec spec = new LeaseSpec();
            spec.setLeaseDurationSeconds(1);
            spec.setLeaseTransitions(lease.getSpec().getLeaseTransitions());
            spec.setAcquireTime(now);
            spec.setRenewTime(now);
            lease.setSpec(spec);
            recordWritten(leases.update(lease));
            return true;
        } catch (RuntimeException e) {
            LOG.warn("{}: failed to release lease: {}", config.identity(), e.toString());
            return false;
        }
    }

    private void recordWritten(Lease lease) {
        observedRecord = lease.getSpec();
        observedResourceVersion = lease.getMetadata().getResourceVersion();
        observedTime = clock.nanoTime();
        String holder = lease.getSpec().getHolderIdentity();
        observe(holder == null ? "" : holder);
    }

    private void observe(String holder) {
        if (!holder.equals(observedLeader)) {
            observedLeader = holder;
            if (!holder.isEmpty()) {
                callbacks.onNewLeader(holder);
            }
        }
    }

    private ZonedDateTime microNow() {
        return ZonedDateTime.ofInstant(clock.now(), ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    private long jittered(long nanos) {
        return (long) (nanos * (1 + ThreadLocalRandom.current().nextDouble() * (JITTER - 1)));
    }

    private void sleep(long nanos) throws InterruptedException {
        long deadline = clock.nanoTime() + nanos;
        synchronized (sleepLock) {
            while (!stopped && clock.nanoTime() < deadline) {
                clock.waitUntil(sleepLock, deadline);
            }
        }
    }

    String observedResourceVersion() {
        return observedResourceVersion;
    }
}
