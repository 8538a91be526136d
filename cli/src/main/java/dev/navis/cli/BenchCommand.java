package dev.navis.cli;

import picocli.CommandLine.Command;

/** Benchmarks that print figures; targets live here, never in timed unit tests. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure Navis components.",
        subcommands = {BenchStoreCommand.class, BenchApiCommand.class, BenchSimCommand.class,
                BenchSchedulerCommand.class, BenchProxyCommand.class, BenchPodStartupCommand.class,
                BenchControllersCommand.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
