package dev.navis.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The API server role alone (kube-apiserver's place): HTTPS API over the embedded store. */
@Command(name = "apiserver", mixinStandardHelpOptions = true, description = "Run only the API server.")
public final class ApiServerCommand implements Callable<Integer> {
    @Mixin
    ApiServerOptionsMixin apiServer;

    @Override
    public Integer call() throws Exception {
        return ApiServerRunner.run("apiserver", apiServer.toOptions(), apiServer.storeOpener(), System.out, System.err, false);
    }
}
