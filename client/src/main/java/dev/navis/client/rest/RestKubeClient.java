package dev.navis.client.rest;

import dev.navis.client.KubeClient;
import dev.navis.client.ResourceClient;
import dev.navis.client.ResourceRef;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.discovery.DiscoveryClient;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * {@link KubeClient} over Jetty's HTTP client (HTTP/2 over TLS). Thread-safe; share one per process and config,
 * since its rate limiter is per instance, as client-go's is per rest.Config.
 */
public final class RestKubeClient implements KubeClient, AutoCloseable {

    private final HttpTransport transport;

    public RestKubeClient(ClientConfig config, RetryPolicy retry, Clock clock) {
        this.transport = new HttpTransport(config, retry, clock);
    }

    public static RestKubeClient create(ClientConfig config) {
        return new RestKubeClient(config, RetryPolicy.DEFAULT, Clock.SYSTEM);
    }

    @Override
    public <T extends HasMetadata> ResourceClient<T> resource(ResourceRef<T> ref) {
        return new RestResourceClient<>(transport, ref, null);
    }

    @Override
    public DiscoveryClient discovery() {
        return new RestDiscoveryClient(transport);
    }

    /** Closes the connections; open watches end. */
    @Override
    public void close() {
        transport.close();
    }
}
