package dev.navis.client.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Everything the REST client needs to reach one API server as one user: resolved from a kubeconfig
 * context or from in-cluster service-account files.
 *
 * @param server       e.g. https://127.0.0.1:6443
 * @param sslContext   trust + client certificate; null for plain http
 * @param bearerToken  supplies the current token (token files are re-read), or returns null
 * @param basicAuth    "user:password" for basic auth, or null
 * @param namespace    the context's default namespace ("default" when unset)
 * @param qps          client-side rate limit (client-go's QPS)
 * @param burst        client-side burst
 * @param userAgent    sent as User-Agent
 * @param servers      every API server of the cluster, {@code server} first: requests move to the next one when
 *                     a server cannot be reached (several {@code navis server}s on one etcd)
 */
public record ClientConfig(URI server, SSLContext sslContext, Supplier<String> bearerToken, String basicAuth,
                           String namespace, double qps, int burst, String userAgent, List<URI> servers) {

    public ClientConfig {
        List<URI> all = new ArrayList<>();
        all.add(server);
        if (servers != null) {
            for (URI s : servers) {
                if (!all.contains(s)) {
                    all.add(s);
                }
            }
        }
        servers = List.copyOf(all);
    }

    /** A config for one API server. */
    public ClientConfig(URI server, SSLContext sslContext, Supplier<String> bearerToken, String basicAuth,
                        String namespace, double qps, int burst, String userAgent) {
        this(server, sslContext, bearerToken, basicAuth, namespace, qps, burst, userAgent, List.of());
    }

    public static final double DEFAULT_QPS = 50;
    public static final int DEFAULT_BURST = 100;

    /** A config for a server without authentication (tests, local http). */
    public static ClientConfig forServer(URI server) {
        return new ClientConfig(server, null, () -> null, null, "default", DEFAULT_QPS, DEFAULT_BURST, "navis");
    }

    public ClientConfig withRateLimit(double newQps, int newBurst) {
        return new ClientConfig(server, sslContext, bearerToken, basicAuth, namespace, newQps, newBurst, userAgent, servers);
    }

    public ClientConfig withUserAgent(String agent) {
        return new ClientConfig(server, sslContext, bearerToken, basicAuth, namespace, qps, burst, agent, servers);
    }

    public ClientConfig withBearerToken(String token) {
        return new ClientConfig(server, sslContext, () -> token, basicAuth, namespace, qps, burst, userAgent, servers);
    }

    /**
     * The same user against several API servers, tried in this order (the first becomes {@link #server()}):
     * a client-side balancer like k3s's, for a control plane of several servers.
     */
    public ClientConfig withServers(List<URI> all) {
        if (all.isEmpty()) {
            throw new IllegalArgumentException("at least one server is needed");
        }
        return new ClientConfig(all.getFirst(), sslContext, bearerToken, basicAuth, namespace, qps, burst, userAgent, all);
    }
}
