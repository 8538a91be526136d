package dev.navis.cli;

import java.nio.file.Path;

import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.leaderelection.LeaderElectionConfig;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.cloud.CloudControllerManager;
import dev.navis.cloud.LocalCloudProvider;

/**
 * A {@link CloudControllerManager} with the {@code local} provider, talking to the API server through a
 * kubeconfig. Closing stops the controllers, releases the lease and closes the connections.
 */
final class CloudControllerManagerRunner implements AutoCloseable {
    private final RestKubeClient client;
    private final CloudControllerManager manager;

    private CloudControllerManagerRunner(RestKubeClient client, CloudControllerManager manager) {
        this.client = client;
        this.manager = manager;
    }

    /** @param lbPool the load-balancer address pool (IPv4 CIDR); null: the node's InternalIP */
    static CloudControllerManagerRunner start(Path kubeconfig, String lbPool) {
        return start(kubeconfig, lbPool, LeaderElectionConfig.Timings.UPSTREAM);
    }

    /** As {@link #start(Path, String)}, with these leader election timings. */
    static CloudControllerManagerRunner start(Path kubeconfig, String lbPool, LeaderElectionConfig.Timings timings) {
        LocalCloudProvider provider = new LocalCloudProvider(lbPool); // a bad CIDR fails before any connection
        RestKubeClient client = RestKubeClient.create(KubeConfigLoader.load(kubeconfig).clientConfig());
        CloudControllerManager manager = CloudControllerManager.create(client, provider, timings);
        manager.start();
        return new CloudControllerManagerRunner(client, manager);
    }

    CloudControllerManager manager() {
        return manager;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            manager.close();
        } finally {
            client.close();
        }
    }
}
