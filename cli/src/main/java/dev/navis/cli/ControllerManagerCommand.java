package dev.navis.cli;

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

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(kubeconfig)) {
            System.err.println("navis controller-manager: cannot read the kubeconfig " + kubeconfig);
            return 1;
        }
        ControllerManagerRunner runner;
        try {
            runner = ControllerManagerRunner.start(kubeconfig, options.toOptions());
        } catch (RuntimeException e) {
            System.err.println("navis controller-manager: cannot start: " + e.getMessage());
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
        }, "navis-controller-manager-shutdown"));
        System.out.println("Navis controller manager started (kubeconfig " + kubeconfig + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
