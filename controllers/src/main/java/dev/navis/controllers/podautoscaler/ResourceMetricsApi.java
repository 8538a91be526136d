package dev.navis.controllers.podautoscaler;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.ListOptions;
import dev.navis.client.ResourceRef;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Resource metrics from the resource metrics API (metrics.k8s.io/v1beta1 PodMetrics, served by an
 * aggregated metrics-server). Discovery is asked first: when the API server does not serve the group the
 * failure reads as upstream's does when the request 404s.
 */
public final class ResourceMetricsApi implements MetricsSource {

    static final String GROUP_VERSION = "metrics.k8s.io/v1beta1";
    static final String NOT_SERVED = "unable to fetch metrics from resource metrics API: "
            + "the server could not find the requested resource (get pods.metrics.k8s.io)";
    static final ResourceRef<PodMetrics> POD_METRICS =
            new ResourceRef<>("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", true, PodMetrics.class);

    private final KubeClient client;

    public ResourceMetricsApi(KubeClient client) {
        this.client = client;
    }

    /** Whether discovery lists metrics.k8s.io/v1beta1 pods. */
    boolean served() {
        for (APIResourceList list : client.discovery().serverPreferredResources()) {
            if (GROUP_VERSION.equals(list.getGroupVersion())) {
                for (APIResource r : list.getResources()) {
                    if ("pods".equals(r.getName())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Override
    public Map<String, PodMetric> resourceMetrics(String resource, String namespace, String selector) {
        if (!served()) {
            throw new MetricsException(NOT_SERVED);
        }
        java.util.List<PodMetrics> items;
        try {
            items = client.resource(POD_METRICS).namespace(namespace).list(ListOptions.ALL.withLabelSelector(selector))
                    .items();
        } catch (ApiException e) {
            throw new MetricsException("unable to fetch metrics from resource metrics API: " + e.getMessage());
        }
        if (items.isEmpty()) {
            throw new MetricsException("no metrics returned from resource metrics API");
        }
        Map<String, PodMetric> out = new HashMap<>();
        for (PodMetrics m : items) {
            long sum = 0;
            boolean missing = false;
            for (ContainerMetrics c : m.getContainers()) {
                Quantity q = c.getUsage() == null ? null : c.getUsage().get(resource);
                if (q == null) {
                    missing = true; // upstream skips pods with a container lacking the resource
                    break;
                }
                sum += Quantities.milliValue(q);
            }
            if (!missing) {
                Duration window = m.getWindow() == null || m.getWindow().getDuration() == null
                        ? Duration.ofSeconds(30) : m.getWindow().getDuration();
                out.put(m.getMetadata().getName(), new PodMetric(sum, Instant.parse(m.getTimestamp()), window));
            }
        }
        return out;
    }
}
