package dev.navis.client.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The config of a process running in a pod: the API server from KUBERNETES_SERVICE_HOST/PORT, trust from
 * the service account's ca.crt, identity from its (rotated) token.
 */
public final class InClusterConfig {

    public static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private InClusterConfig() {
    }

    public static boolean available() {
        return System.getenv("KUBERNETES_SERVICE_HOST") != null && Files.exists(SERVICE_ACCOUNT_DIR.resolve("token"));
    }

    public static ClientConfig load() {
        return load(System.getenv(), SERVICE_ACCOUNT_DIR);
    }

    /** Testable form: the environment and the service-account directory are given. */
    public static ClientConfig load(Map<String, String> env, Path serviceAccountDir) {
        String host = env.get("KUBERNETES_SERVICE_HOST");
        String port = env.get("KUBERNETES_SERVICE_PORT");
        if (host == null || host.isEmpty() || port == null || port.isEmpty()) {
            throw new IllegalStateException(
                    "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined");
        }
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        URI server = URI.create("https://" + hostPart + ":" + port);
        try {
            byte[] ca = Files.readAllBytes(serviceAccountDir.resolve("ca.crt"));
            Path nsFile = serviceAccountDir.resolve("namespace");
            String ns = Files.exists(nsFile) ? Files.readString(nsFile).trim() : "default";
            TokenFile token = new TokenFile(serviceAccountDir.resolve("token"));
            return new ClientConfig(server, Tls.context(Pem.certificates(ca), false, null, List.of()), token, null,
                    ns, ClientConfig.DEFAULT_QPS, ClientConfig.DEFAULT_BURST, "navis");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read service account files in " + serviceAccountDir, e);
        }
    }
}
