package dev.navis.cli;

import java.io.PrintStream;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;

/** Runs an API server in the foreground until the process is told to stop (SIGTERM, Ctrl-C). */
final class ApiServerRunner {
    private ApiServerRunner() {
    }

    /** Returns the process exit code: 0 after a requested stop, 1 when the server could not start. */
    static int run(String role, ApiServerOptions options, PrintStream out, PrintStream err) throws InterruptedException {
        ApiServer server;
        try {
            server = ApiServer.create(options);
            server.stopOnShutdown();
            server.start();
        } catch (Exception e) {
            err.println("navis " + role + ": cannot start the API server: " + describe(e));
            return 1;
        }
        String kubeconfig = server.kubeconfigFile().toString();
        out.println("Navis API server is ready at " + server.url());
        out.println("Kubeconfig: " + kubeconfig);
        out.println("Try:  export KUBECONFIG=" + kubeconfig + "; kubectl get namespaces");
        out.println("  or: kubectl --kubeconfig " + kubeconfig + " get ns");
        out.flush();
        server.join();
        return 0;
    }

    private static String describe(Throwable e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            message.append(": ").append(cause.getMessage());
        }
        return message.toString();
    }
}
