package dev.navis.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.navis.client.config.ClientConfig;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.config.Pem;
import dev.navis.client.config.Tls;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How a node-side command reaches the API server: a kubeconfig, or a server URL and a bearer token. */
public final class ClusterAccessMixin {
    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Kubeconfig to reach the API server with.")
    Path kubeconfig;

    @Option(names = "--server", paramLabel = "URL", split = ",",
            description = "The API server, e.g. https://10.0.0.1:6443 (with --token); several, comma-separated, for a "
                    + "control plane of several servers: the next is used when one cannot be reached. With --kubeconfig, "
                    + "these replace the kubeconfig's server.")
    List<URI> server;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Join token from 'navis token create' "
            + "(K10<CA sha256>::<id>.<secret>: the node bootstraps its own certificates), or a bearer token for --server.")
    String token;

    @Option(names = "--certificate-authority", paramLabel = "FILE", description = "CA bundle that signed the server's certificate (with --server).")
    Path certificateAuthority;

    @Option(names = "--insecure-skip-tls-verify", description = "Do not verify the server's certificate (with --server).")
    boolean insecure;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    ClientConfig clientConfig() {
        if (kubeconfig != null) {
            ClientConfig fromFile = KubeConfigLoader.load(kubeconfig.toAbsolutePath()).clientConfig();
            return server == null ? fromFile : fromFile.withServers(server);
        }
        if (server == null || server.isEmpty()) {
            throw new ParameterException(command.commandLine(), "give --kubeconfig FILE or --server URL --token TOKEN");
        }
        ClientConfig config = ClientConfig.forServer(server.getFirst());
        if ("https".equalsIgnoreCase(server.getFirst().getScheme())) {
            try {
                var trusted = certificateAuthority == null ? List.<java.security.cert.X509Certificate>of()
                        : Pem.certificates(Files.readAllBytes(certificateAuthority));
                config = new ClientConfig(server.getFirst(), Tls.context(trusted, insecure, null, List.of()), () -> null, null,
                        "default", ClientConfig.DEFAULT_QPS, ClientConfig.DEFAULT_BURST, "navis");
            } catch (IOException e) {
                throw new ParameterException(command.commandLine(), "cannot read " + certificateAuthority + ": " + e.getMessage());
            }
        }
        config = config.withServers(server);
        return token == null ? config : config.withBearerToken(token);
    }

    /** The cluster CA (PEM) the node's kubelet API trusts for client certificates, or null when none is known. */
    byte[] clusterCaPem() {
        try {
            if (kubeconfig != null) {
                return KubeletApi.clusterCa(kubeconfig);
            }
            return certificateAuthority == null ? null : Files.readAllBytes(certificateAuthority);
        } catch (IOException e) {
            throw new ParameterException(command.commandLine(), "cannot read " + certificateAuthority + ": " + e.getMessage());
        }
    }
}
