package dev.navis.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Starts the control plane in this process: the API server, then the controller manager, which talks to it
 * over HTTPS with the admin kubeconfig like any other client (and, later, a node).
 */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Start a Navis cluster.")
public final class ServerCommand implements Callable<Integer> {
    @Mixin
    ApiServerOptionsMixin apiServer;

    @Override
    public Integer call() throws Exception {
        return ApiServerRunner.run("server", apiServer.toOptions(), apiServer.storeOpener(), System.out, System.err, true);
    }
}
