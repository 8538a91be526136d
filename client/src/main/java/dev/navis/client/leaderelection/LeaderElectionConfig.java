package dev.navis.client.leaderelection;

import java.time.Duration;

/**
 * Leader election settings, with upstream's defaults (kube-controller-manager, kube-scheduler): the lease
 * lasts 15 s, the leader gives up if it cannot renew within 10 s, and everyone retries every 2 s.
 *
 * @param namespace       the Lease's namespace, e.g. "kube-system"
 * @param name            the Lease's name, e.g. "kube-controller-manager"
 * @param identity        this candidate, unique per process (upstream: hostname + "_" + uuid)
 * @param leaseDuration   how long non-leaders wait after the last observed change before taking over
 * @param renewDeadline   how long the leader keeps retrying a renewal before giving up
 * @param retryPeriod     the interval between attempts
 * @param releaseOnCancel on stop, release the lease so a successor need not wait for it to expire
 */
public record LeaderElectionConfig(String namespace, String name, String identity, Duration leaseDuration,
                                   Duration renewDeadline, Duration retryPeriod, boolean releaseOnCancel) {

    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
    public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);

    public LeaderElectionConfig {
        if (leaseDuration.compareTo(renewDeadline) <= 0) {
            throw new IllegalArgumentException("leaseDuration must be greater than renewDeadline");
        }
        if (renewDeadline.toNanos() <= (long) (1.2 * retryPeriod.toNanos())) {
            throw new IllegalArgumentException("renewDeadline must be greater than retryPeriod*1.2");
        }
        if (identity == null || identity.isEmpty()) {
            throw new IllegalArgumentException("identity may not be empty");
        }
    }

    public static LeaderElectionConfig defaults(String namespace, String name, String identity) {
        return new LeaderElectionConfig(namespace, name, identity, DEFAULT_LEASE_DURATION, DEFAULT_RENEW_DEADLINE,
                DEFAULT_RETRY_PERIOD, true);
    }
}
