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

    /**
     * The three durations of an election.
     *
     * <p>After a leader dies without releasing, a standby takes over once the record it last saw change has
     * stayed unchanged for a lease duration on its own clock. It saw the leader's last renewal up to one
     * jittered retry period late, and its attempts land on the expiry itself ({@link LeaderElector} sleeps no
     * longer than until then), so the takeover comes at most {@code leaseDuration + 1.2 * retryPeriod} after the
     * death, plus two request round trips.
     */
    public record Timings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        /** client-go's defaults (kube-controller-manager, kube-scheduler): 15 s, 10 s, 2 s. */
        public static final Timings UPSTREAM = new Timings(DEFAULT_LEASE_DURATION, DEFAULT_RENEW_DEADLINE,
                DEFAULT_RETRY_PERIOD);
        /**
         * What {@code navis server} gives the components it runs: 10 s, 7 s, 2 s, so a standby takes over
         * within 12.4 s of a leader's SIGKILL (the issue asks for 15 s; upstream's lease alone is 15 s). The
         * leader still has 7 s of retries every 2 s before it gives up, and it gives up (at most renewDeadline
         * plus one retry period after its last renewal) before a standby may take over.
         */
        public static final Timings SERVER = new Timings(Duration.ofSeconds(10), Duration.ofSeconds(7),
                Duration.ofSeconds(2));
    }

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
        return of(namespace, name, identity, Timings.UPSTREAM);
    }

    /** An election with these timings that releases the lease on stop. */
    public static LeaderElectionConfig of(String namespace, String name, String identity, Timings timings) {
        return new LeaderElectionConfig(namespace, name, identity, timings.leaseDuration(), timings.renewDeadline(),
                timings.retryPeriod(), true);
    }
}
