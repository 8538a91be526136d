package dev.navis.cli;

import java.io.PrintStream;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;

/** Runs an API server in the foreground until the process is told to stop (SIGTERM, Ctrl-C). */
final class ApiServerRunner {
    private ApiServerRunner() {
    }

    static int run(ApiServerOptions options, PrintStream out) throws Exception {
        ApiServer server = ApiServers.create(options);
        server.stopOnShutdown();
        server.start();
        String kubeconfig = server.kubeconfigFile().toString();
        out.println("Navis API server is ready at " + server.url());
        out.println("Kubeconfig: " + kubeconfig);
        out.println("Try:  export KUBECONFIG=" + kubeconfig + "; kubectl get namespaces");
        out.println("  or: kubectl --kubeconfig " + kubeconfig + " get ns");
        out.flush();
        server.join();
        return 0;
    }
}
