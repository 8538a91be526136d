package dev.navis.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The cloud controller manager alone (cloud-controller-manager's place) with the local provider. */
@Command(name = "cloud-controller-manager", mixinStandardHelpOptions = true,
        description = "Run only the cloud controller manager (LoadBalancer Services, node initialization) with the "
                + "local provider against an API server.")
public final class CloudControllerManagerCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", required = true, paramLabel = "FILE",
            description = "Kubeconfig of the API server, e.g. <data-dir>/kubeconfig.yaml.")
    Path kubeconfig;

    @Option(names = "--lb-pool", paramLabel = "CIDR",
            description = "IPv4 addresses handed to LoadBalancer Services; default: the node's InternalIP.")
    String lbPool;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(kubeconfig)) {
            System.err.println("navis cloud-controller-manager: cannot read the kubeconfig " + kubeconfig);
            return 1;
        }
        CloudControllerManagerRunner runner;
        try {
            runner = CloudControllerManagerRunner.start(kubeconfig, lbPool);
        } catch (RuntimeException e) {
            System.err.println("navis cloud-controller-manager: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        }, "navis-cloud-controller-manager-shutdown"));
        System.out.println("Navis cloud controller manager started (provider local, load balancer addresses "
                + (lbPool == null ? "from the node's InternalIP" : "from " + lbPool)
                + "; leader election on kube-system/cloud-controller-manager)");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
