package dev.navis.scheduler.config;

import java.time.Duration;
import java.util.List;

/**
 * kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration, the parts Navis implements, with upstream's
 * defaults: one profile "default-scheduler" with the default plugins, adaptive percentageOfNodesToScore
 * (null/0), backoff 1 s → 10 s, leader election on kube-system/kube-scheduler, client at 50 QPS (burst 100). Load with
 * {@link SchedulerConfigLoader}.
 */
public record KubeSchedulerConfiguration(List<Profile> profiles, Integer percentageOfNodesToScore,
                                         long podInitialBackoffSeconds, long podMaxBackoffSeconds, int parallelism,
                                         LeaderElection leaderElection, ClientConnection clientConnection) {

    /** The API client's rate limit (componentconfig's ClientConnectionConfiguration; upstream: 50 QPS, burst 100). */
    public record ClientConnection(double qps, int burst) {
        public static final ClientConnection DEFAULT = new ClientConnection(50, 100);
    }

    public static final String API_VERSION = "kubescheduler.config.k8s.io/v1";
    public static final String KIND = "KubeSchedulerConfiguration";
    public static final String DEFAULT_SCHEDULER_NAME = "default-scheduler";

    /** Leader election settings (componentconfig's LeaderElectionConfiguration). */
    public record LeaderElection(boolean leaderElect, String resourceNamespace, String resourceName,
                                 Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        public static final LeaderElection DEFAULT = new LeaderElection(true, "kube-system", "kube-scheduler",
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

        /** These settings with other durations. */
        public LeaderElection withTimings(dev.navis.client.leaderelection.LeaderElectionConfig.Timings timings) {
            return new LeaderElection(leaderElect, resourceNamespace, resourceName, timings.leaseDuration(),
                    timings.renewDeadline(), timings.retryPeriod());
        }
    }

    public static KubeSchedulerConfiguration defaults() {
        return new KubeSchedulerConfiguration(List.of(DefaultPlugins.defaultProfile(DEFAULT_SCHEDULER_NAME)), null,
                1, 10, 16, LeaderElection.DEFAULT, ClientConnection.DEFAULT);
    }

    public KubeSchedulerConfiguration withLeaderElection(LeaderElection election) {
        return new KubeSchedulerConfiguration(profiles, percentageOfNodesToScore, podInitialBackoffSeconds,
                podMaxBackoffSeconds, parallelism, election, clientConnection);
    }

    public KubeSchedulerConfiguration withClientConnection(ClientConnection connection) {
        return new KubeSchedulerConfiguration(profiles, percentageOfNodesToScore, podInitialBackoffSeconds,
                podMaxBackoffSeconds, parallelism, leaderElection, connection);
    }
}
