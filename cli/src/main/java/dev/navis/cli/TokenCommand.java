package dev.navis.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

import dev.navis.apiserver.ApiServerOptions;
import dev.navis.client.KubeClient;
import dev.navis.client.certificates.BootstrapTokens;
import dev.navis.client.certificates.JoinToken;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code navis token}: bootstrap tokens for nodes that join (k3s's and kubeadm's {@code token create}). */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage bootstrap tokens for joining nodes.",
        subcommands = TokenCommand.Create.class)
public final class TokenCommand {

    /**
     * Creates a bootstrap token Secret through the API (admin kubeconfig of the data directory) and prints the join
     * token {@code K10<sha256 of the cluster CA>::<id>.<secret>} for {@code navis agent --token}.
     */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a bootstrap token and print the join token (K10<CA sha256>::<id>.<secret>).")
    static final class Create implements Callable<Integer> {
        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "24h",
                converter = ControllerManagerOptionsMixin.GoDuration.class,
                description = "How long the token stays valid, e.g. 24h (default); 0 never expires.")
        Duration ttl;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "The server's data directory, whose kubeconfig.yaml reaches the API (default: ~/.navis/server).")
        Path dataDir;

        @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Admin kubeconfig (instead of --data-dir).")
        Path kubeconfig;

        @Option(names = "--description", paramLabel = "TEXT", description = "Stored with the token.")
        String description;

        @Override
        public Integer call() {
            Path file = kubeconfig != null ? kubeconfig
                    : (dataDir != null ? dataDir.toAbsolutePath() : ApiServerOptions.defaultDataDir()).resolve("kubeconfig.yaml");
            if (!Files.isReadable(file)) {
                System.err.println("navis token create: cannot read the kubeconfig " + file + " (is the server running?)");
                return 1;
            }
            try (RestKubeClient client = RestKubeClient.create(KubeConfigLoader.load(file).clientConfig())) {
                JoinToken token = create(client, file, ttl, description);
                System.out.println(token);
                return 0;
            } catch (RuntimeException e) {
                System.err.println("navis token create: " + e.getMessage());
                return 1;
            }
        }
    }

    /**
     * Makes sure kube-public/cluster-info exists, then stores a new bootstrap token; the join token pins the CA that
     * cluster-info publishes (what a joining node will read).
     */
    static JoinToken create(KubeClient client, Path adminKubeconfig, Duration ttl, String description) {
        byte[] caPem = ClusterInfo.caPem(client);
        if (caPem == null) {
            var config = KubeConfigLoader.load(adminKubeconfig);
            var context = config.contexts().get(config.currentContext());
            ClusterInfo.publish(client, adminKubeconfig, config.clusters().get(context.cluster()).server());
            caPem = ClusterInfo.caPem(client);
        }
        JoinToken token = JoinToken.generate(caPem);
        client.secrets().namespace(BootstrapTokens.NAMESPACE).create(BootstrapTokens.secret(token, ttl, Instant.now(),
                description));
        return token;
    }
}
