package dev.navis.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Registers simulated nodes against an API server (like KWOK) and keeps them alive until stopped. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Run simulated nodes (no containers) against an API server.")
public final class SimCommand implements Callable<Integer> {
    @Mixin
    ClusterAccessMixin access;

    @Mixin
    SimOptionsMixin sim;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "1", description = "How many nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Override
    public Integer call() throws Exception {
        NodeRunner runner = NodeRunner.startSim(access.clientConfig(), sim.options(nodes));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (Exception e) {
                System.err.println("navis sim: stopping: " + e.getMessage());
            }
            stopped.countDown();
        }, "navis-sim-shutdown"));
        long start = System.nanoTime();
        if (runner.sim().awaitRegistered(Duration.ofMinutes(10))) {
            System.out.printf("%d simulated nodes registered in %.1f s%n", nodes, (System.nanoTime() - start) / 1e9);
        } else {
            System.out.printf("%d of %d simulated nodes registered so far%n", runner.sim().registeredCount(), nodes);
        }
        stopped.await();
        return 0;
    }
}
