package dev.navis.cli;

import dev.navis.client.workqueue.WorkQueueMetricsProvider;
import dev.navis.controllers.metrics.ControllerMetricsServer;
import dev.navis.controllers.metrics.WorkQueuePrometheusMetrics;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The controller manager role alone (kube-controller-manager's place), against any API server. */
@Command(name = "controller-manager", mixinStandardHelpOptions = true,
        description = "Run only the controller manager (garbage collector, ...) against an API server.")
public final class ControllerManagerCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", required = true, paramLabel = "FILE",
            description = "Kubeconfig of the API server to manage, e.g. <data-dir>/kubeconfig.yaml.")
    Path kubeconfig;

    @picocli.CommandLine.Mixin
    ControllerManagerOptionsMixin options;

    @Option(names = "--metrics-bind-address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:10257",
            description = "Where to serve /metrics (work queue metrics) and /healthz (plain HTTP); 0 or empty to "
                    + "disable. Default: ${DEFAULT-VALUE}.")
    String metricsAddress;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(kubeconfig)) {
            System.err.println("navis controller-manager: cannot read the kubeconfig " + kubeconfig);
            return 1;
        }
        ControllerManagerRunner runner;
        ControllerMetricsServer metricsServer = null;
        try {
            InetSocketAddress address = "0".equals(metricsAddress) ? null : SchedulerCommand.parseAddress(metricsAddress);
            if (address != null) {
                // installed before the controllers build their queues, which then report to it
                WorkQueuePrometheusMetrics metrics = new WorkQueuePrometheusMetrics();
                WorkQueueMetricsProvider.set(metrics);
                metricsServer = new ControllerMetricsServer(address, metrics);
            }
            runner = ControllerManagerRunner.start(kubeconfig, options.toOptions());
        } catch (RuntimeException | java.io.IOException e) {
            if (metricsServer != null) {
                metricsServer.close();
            }
            System.err.println("navis controller-manager: cannot start: " + e.getMessage());
            return 1;
        }
        ControllerMetricsServer served = metricsServer;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (served != null) {
                    served.close();
                }
                runner.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        }, "navis-controller-manager-shutdown"));
        System.out.println("Navis controller manager started (kubeconfig " + kubeconfig
                + (served == null ? "" : ", metrics on port " + served.port()) + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
