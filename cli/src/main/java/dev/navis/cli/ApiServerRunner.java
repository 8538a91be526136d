package dev.navis.cli;

import java.io.PrintStream;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;

/**
 * Runs an API server in the foreground until the process is told to stop (SIGTERM, Ctrl-C), optionally with
 * the controller manager in-process once the server is ready.
 */
final class ApiServerRunner {
    /**
     * The leader election timings of the components a server runs: shorter than upstream's, so a standby server
     * takes over within 15 s of a leader's death (docs/HA.md). The standalone commands keep upstream's.
     */
    private static final dev.navis.client.leaderelection.LeaderElectionConfig.Timings ELECTION =
            dev.navis.client.leaderelection.LeaderElectionConfig.Timings.SERVER;

    private ApiServerRunner() {
    }

    /**
     * Returns the process exit code: 0 after a requested stop, 1 when the server could not start.
     *
     * @param controllers also run the controller manager against the server (through its admin kubeconfig)
     */
    static int run(String role, ApiServerOptions options, PrintStream out, PrintStream err, boolean controllers)
            throws InterruptedException {
        return run(role, options, ApiServerRunner::openEmbeddedStore, out, err, controllers,
                dev.navis.controllers.ControllerOptions.defaults(), null);
    }

    /** The embedded store in {@code dir} (the default datastore). */
    static dev.navis.storage.Store openEmbeddedStore(java.nio.file.Path dir) {
        return dev.navis.storage.mvcc.MvccStore.open(dir, dev.navis.storage.mvcc.Options.defaults());
    }

    /** As {@link #run(String, ApiServerOptions, PrintStream, PrintStream, boolean)}, over the store {@code openStore} opens. */
    static int run(String role, ApiServerOptions options, java.util.function.Function<java.nio.file.Path, dev.navis.storage.Store> openStore,
                   PrintStream out, PrintStream err, boolean controllers) throws InterruptedException {
        return run(role, options, openStore, out, err, controllers, dev.navis.controllers.ControllerOptions.defaults(), null);
    }

    /** Something started next to the control plane once it is ready (a node); closed first on shutdown. */
    interface Colocated {
        /** Starts against the admin kubeconfig; returns what to close, and prints what it started. */
        AutoCloseable start(java.nio.file.Path kubeconfig, PrintStream out) throws Exception;
    }

    /**
     * The whole server: the API server over the store {@code openStore} opens, with the controllers' options
     * and {@code colocated} (may be null) started once it is ready.
     */
    static int run(String role, ApiServerOptions options, java.util.function.Function<java.nio.file.Path, dev.navis.storage.Store> openStore,
                   PrintStream out, PrintStream err, boolean controllers,
                   dev.navis.controllers.ControllerOptions controllerOptions, Colocated colocated)
            throws InterruptedException {
        ApiServer server;
        try {
            server = ApiServer.create(options, dev.navis.apimachinery.registry.BuiltinResources.all(), openStore);
            server.start();
        } catch (Exception e) {
            err.println("navis " + role + ": cannot start the API server: " + describe(e));
            return 1;
        }
        // kube-public/cluster-info: the CA joining nodes read (and pin with the hash in their join token)
        try (var admin = dev.navis.client.rest.RestKubeClient.create(
                dev.navis.client.config.KubeConfigLoader.load(server.kubeconfigFile()).clientConfig())) {
            ClusterInfo.publish(admin, server.kubeconfigFile(), server.url().toString());
        } catch (RuntimeException e) {
            err.println("navis " + role + ": cannot publish kube-public/cluster-info: " + describe(e));
        }
        if (controllers) {
            // k3s's default StorageClass, served by the controller manager's local-path provisioner
            try (var admin = dev.navis.client.rest.RestKubeClient.create(
                    dev.navis.client.config.KubeConfigLoader.load(server.kubeconfigFile()).clientConfig())) {
                DefaultStorageClass.ensure(admin, options.dataDir().resolve("storage"));
            } catch (RuntimeException e) {
                err.println("navis " + role + ": cannot create the StorageClass local-path: " + describe(e));
            }
        }
        ControllerManagerRunner manager = null;
        if (controllers) {
            try {
                manager = ControllerManagerRunner.start(server.kubeconfigFile(), controllerOptions, ELECTION);
            } catch (RuntimeException e) {
                err.println("navis " + role + ": cannot start the controller manager: " + describe(e));
                server.stop();
                return 1;
            }
        }
        SchedulerRunner scheduler = null;
        if (controllers) {
            try {
                scheduler = SchedulerRunner.start(server.kubeconfigFile(), ELECTION);
            } catch (Exception e) {
                err.println("navis " + role + ": cannot start the scheduler: " + describe(e));
                try {
                    manager.close();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                server.stop();
                return 1;
            }
        }
        SchedulerRunner startedScheduler = scheduler;
        // the cloud controller manager with the local provider (LoadBalancer addresses: the node's InternalIP)
        CloudControllerManagerRunner cloud = null;
        if (controllers) {
            try {
                cloud = CloudControllerManagerRunner.start(server.kubeconfigFile(), null, ELECTION);
            } catch (RuntimeException e) {
                err.println("navis " + role + ": cannot start the cloud controller manager: " + describe(e));
            }
        }
        CloudControllerManagerRunner startedCloud = cloud;
        AutoCloseable node = null;
        if (colocated != null) {
            try {
                node = colocated.start(server.kubeconfigFile(), out);
            } catch (Exception e) {
                err.println("navis " + role + ": cannot start the node: " + describe(e));
            }
        }
        ControllerManagerRunner started = manager;
        AutoCloseable startedNode = node;
        // Services: the cluster DNS (kube-proxy belongs to the node: ServerCommand starts it with the node)
        ClusterNetworkRunner network = controllers ? ClusterNetworkRunner.start(server.kubeconfigFile(), out, err) : null;
        // one hook, so the controllers stop (and release their lease) while the API server still answers
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (network != null) {
                try {
                    network.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (startedNode != null) {
                try {
                    startedNode.close();
                } catch (Exception e) {
                    err.println("navis " + role + ": stopping the node: " + describe(e));
                }
            }
            if (startedCloud != null) {
                try {
                    startedCloud.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (startedScheduler != null) {
                try {
                    startedScheduler.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (started != null) {
                try {
                    started.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            server.stop();
        }, "navis-" + role + "-shutdown"));
        String kubeconfig = server.kubeconfigFile().toString();
        out.println("Navis API server is ready at " + server.url());
        if (controllers) {
            out.println("Controller manager started (" + dev.navis.controllers.KnownControllers.all().stream()
                    .map(dev.navis.controllers.ControllerRegistration::name).collect(java.util.stream.Collectors.joining(", ")) + ")");
        }
        if (controllers) {
            out.println("Scheduler started (profile default-scheduler; leader election on kube-system/kube-scheduler)");
        }
        if (startedCloud != null) {
            out.println("Cloud controller manager started (provider local; leader election on kube-system/cloud-controller-manager)");
        }
        out.println("Kubeconfig: " + kubeconfig);
        out.println("Try:  export KUBECONFIG=" + kubeconfig + "; kubectl get namespaces");
        out.println("  or: kubectl --kubeconfig " + kubeconfig + " get ns");
        out.flush();
        server.join();
        return 0;
    }

    private static String describe(Throwable e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            message.append(": ").append(cause.getMessage());
        }
        return message.toString();
    }
}
