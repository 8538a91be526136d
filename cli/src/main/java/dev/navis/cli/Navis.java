package dev.navis.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one Navis binary: every role is a subcommand. */
@Command(name = "navis", mixinStandardHelpOptions = true, version = "navis 0.1.0",
        description = "Kubernetes, written in Java.",
        subcommands = {ServerCommand.class, ApiServerCommand.class, ControllerManagerCommand.class, BenchCommand.class,
                ImageCommand.class, AgentCommand.class, SimCommand.class,
                SchedulerCommand.class, ProxyCommand.class,
                EtcdSnapshotCommand.class, CloudControllerManagerCommand.class,
                TokenCommand.class})
public final class Navis {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Navis()).execute(args));
    }
}
