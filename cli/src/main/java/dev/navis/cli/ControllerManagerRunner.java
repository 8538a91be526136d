package dev.navis.cli;

import java.nio.file.Path;

import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.leaderelection.LeaderElectionConfig;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.controllers.ControllerManager;

/**
 * A {@link ControllerManager} talking to the API server through a kubeconfig, as kube-controller-manager
 * does: components reach each other only through the API server. Closing stops the controllers, releases
 * the leader lease and closes the connections.
 */
final class ControllerManagerRunner implements AutoCloseable {
    private final RestKubeClient client;
    private final ControllerManager manager;

    private ControllerManagerRunner(RestKubeClient client, ControllerManager manager) {
        this.client = client;
        this.manager = manager;
    }

    /** Loads {@code kubeconfig} (its current context) and starts campaigning for leadership. */
    static ControllerManagerRunner start(Path kubeconfig) {
        return start(kubeconfig, dev.navis.controllers.ControllerOptions.defaults());
    }

    /** As {@link #start(Path)}, with kube-controller-manager's options. */
    static ControllerManagerRunner start(Path kubeconfig, dev.navis.controllers.ControllerOptions options) {
        return start(kubeconfig, options, LeaderElectionConfig.Timings.UPSTREAM);
    }

    /** As {@link #start(Path, dev.navis.controllers.ControllerOptions)}, with these leader election timings. */
    static ControllerManagerRunner start(Path kubeconfig, dev.navis.controllers.ControllerOptions options,
                                         LeaderElectionConfig.Timings timings) {
        RestKubeClient client = RestKubeClient.create(KubeConfigLoader.load(kubeconfig).clientConfig());
        ControllerManager manager = ControllerManager.create(client, options, timings);
        manager.start();
        return new ControllerManagerRunner(client, manager);
    }

    ControllerManager manager() {
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
