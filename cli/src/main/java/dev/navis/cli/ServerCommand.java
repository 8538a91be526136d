package dev.navis.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Starts the control plane in this process: the API server, then the controller manager and the scheduler, which talk to it
 * over HTTPS with the admin kubeconfig like any other client (and, later, a node).
 */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Start a Navis cluster.")
public final class ServerCommand implements Callable<Integer> {
    @Mixin
    ApiServerOptionsMixin apiServer;

    @Mixin
    ControllerManagerOptionsMixin controllerManager;

    @Mixin
    NodeOptionsMixin node;

    @Mixin
    SimOptionsMixin sim;

    @picocli.CommandLine.Option(names = "--sim-nodes", paramLabel = "N", defaultValue = "0",
            description = "Also run N simulated nodes (no containers) in this process (default: ${DEFAULT-VALUE}).")
    int simNodes;

    @picocli.CommandLine.Option(names = "--disable-agent",
            description = "Do not run a node next to the control plane.")
    boolean disableAgent;

    @Override
    public Integer call() throws Exception {
        var options = apiServer.toOptions();
        return ApiServerRunner.run("server", options, apiServer.storeOpener(), System.out, System.err, true,
                controllerManager.toOptions(options.pkiDir()),
                (kubeconfig, out) -> {
            var clientConfig = dev.navis.client.config.KubeConfigLoader.load(kubeconfig).clientConfig();
            java.util.List<AutoCloseable> started = new java.util.ArrayList<>();
            if (!disableAgent) {
                var config = NodeRunner.kubeletConfig(node, options.dataDir().resolve("agent"))
                        .withExtraLabels(java.util.Map.of("node-role.kubernetes.io/control-plane", "true"));
                started.add(NodeRunner.startNode(clientConfig, config, NodeRuntimes.real(controllerManager.clusterCidr),
                        KubeletApi.clusterCa(kubeconfig)));
                out.println("Node " + config.nodeName() + " started");
                AutoCloseable proxy = ClusterNetworkRunner.startProxy(clientConfig, config.nodeName(),
                        controllerManager.clusterCidr, out, System.err);
                if (proxy != null) {
                    started.add(proxy);
                }
            }
            if (simNodes > 0) {
                started.add(NodeRunner.startSim(clientConfig, sim.options(simNodes)));
                out.println(simNodes + " simulated nodes starting (" + sim.prefix + "0 ...)");
            }
            return () -> {
                for (AutoCloseable c : started.reversed()) {
                    c.close();
                }
            };
        });
    }
}
