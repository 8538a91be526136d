package dev.navis.cli;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The scheduler role alone (kube-scheduler's place), against any API server. */
@Command(name = "scheduler", mixinStandardHelpOptions = true,
        description = "Run only the scheduler (binds pending pods to nodes) against an API server.")
public final class SchedulerCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", required = true, paramLabel = "FILE",
            description = "Kubeconfig of the API server, e.g. <data-dir>/kubeconfig.yaml.")
    Path kubeconfig;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file: profiles, plugins, "
                    + "pluginConfig, percentageOfNodesToScore, leaderElection.")
    Path config;

    @Option(names = "--metrics-bind-address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:10259",
            description = "Where to serve /metrics and /healthz (plain HTTP); empty to disable. Default: ${DEFAULT-VALUE}.")
    String metricsAddress;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(kubeconfig)) {
            System.err.println("navis scheduler: cannot read the kubeconfig " + kubeconfig);
            return 1;
        }
        if (config != null && !Files.isReadable(config)) {
            System.err.println("navis scheduler: cannot read the configuration " + config);
            return 1;
        }
        SchedulerRunner runner;
        try {
            runner = SchedulerRunner.start(kubeconfig, config, parseAddress(metricsAddress));
        } catch (RuntimeException | java.io.IOException e) {
            System.err.println("navis scheduler: cannot start: " + e.getMessage());
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
        }, "navis-scheduler-shutdown"));
        System.out.println("Navis scheduler started (kubeconfig " + kubeconfig
                + (runner.metrics() == null ? "" : ", metrics on port " + runner.metrics().port()) + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }

    static InetSocketAddress parseAddress(String address) {
        if (address == null || address.isBlank()) {
            return null;
        }
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--metrics-bind-address must be HOST:PORT, got " + address);
        }
        return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }
}
