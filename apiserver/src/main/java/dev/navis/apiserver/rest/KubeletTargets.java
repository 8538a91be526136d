package dev.navis.apiserver.rest;

import dev.navis.apiserver.rest.metrics.KubeletScraper;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * The kubelets to scrape: every node's {@code https://<preferred address>:<kubelet port>/metrics/resource}. Nodes
 * that publish no kubelet port (simulated nodes run no kubelet server) and nodes without an address are skipped.
 */
public final class KubeletTargets implements Supplier<List<KubeletScraper.Target>> {
    private final RestStorage nodes;

    public KubeletTargets(RestStorage nodes) {
        this.nodes = nodes;
    }

    @Override
    public List<KubeletScraper.Target> get() {
        List<KubeletScraper.Target> out = new ArrayList<>();
        ListOptions all = new ListOptions(ObjectFilter.everything(nodes.definition()), 0, "", "0", "");
        for (ObjectNode node : nodes.listReadOnly("", all).items()) {
            if (node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0) <= 0) {
                continue;
            }
            String address;
            try {
                address = StreamingSubresources.nodeAddress(node);
            } catch (ApiException e) {
                continue;
            }
            String host = address.contains(":") ? "[" + address + "]" : address;
            out.add(new KubeletScraper.Target(node.path("metadata").path("name").asText(),
                    URI.create("https://" + host + ":" + StreamingSubresources.kubeletPort(node) + "/metrics/resource")));
        }
        return out;
    }
}
