package dev.navis.cli;

import picocli.CommandLine.Command;

/** Starts the control plane (and, later, a node) in this process. */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Start a Navis cluster.")
public final class ServerCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("navis server: the API server is not built yet");
        return 1;
    }
}
