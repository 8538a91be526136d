package dev.navis.cloud;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's cloud node controller (k8s.io/cloud-provider/controllers/node), initialization part: a node
 * registered by a kubelet with {@code --cloud-provider=external} carries the taint
 * {@code node.cloudprovider.kubernetes.io/uninitialized}; this controller writes the addresses the
 * provider's {@link Instances} reports into status.addresses and then removes the taint, so pods can be
 * scheduled there.
 */
public final class CloudNodeController {

    private static final Logger LOG = LoggerFactory.getLogger(CloudNodeController.class);
    public static final String UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";

    private final KubeClient client;
    private final Instances instances;
    private final Lister<Node> nodes;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public CloudNodeController(KubeClient client, SharedInformerFactory informers, Instances instances, Clock clock) {
        this.client = client;
        this.instances = instances;
        this.queue = new RateLimitingQueue<>("node", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.workers = new Workers<>("cloud-node", queue, this::sync, 0);
        SharedIndexInformer<Node> informer = informers.informer(Node.class);
        this.nodes = informer.lister();
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                if (uninitialized(n)) {
                    queue.add(Keys.of(n));
                }
            }

            @Override
            public void onUpdate(Node o, Node n) {
                if (uninitialized(n)) {
                    queue.add(Keys.of(n));
                }
            }
        });
    }

    public void run(int count) {
        workers.start(count);
    }

    public void stop() throws InterruptedException {
        workers.stop();
    }

    /** Initializes the node {@code key} when it still carries the uninitialized taint. */
    void sync(String key) {
        Node cached = nodes.getByKey(key);
        if (cached == null || !uninitialized(cached)) {
            return;
        }
        String name = cached.getMetadata().getName();
        try {
            List<NodeAddress> addresses = instances.nodeAddresses(cached);
            List<NodeAddress> current = cached.getStatus() == null ? null : cached.getStatus().getAddresses();
            if (current == null || !Json.tree(current).equals(Json.tree(addresses))) {
                client.nodes().patchStatus(name, PatchType.MERGE,
                        Json.writeString(Map.of("status", Map.of("addresses", addresses))));
            }
            Node fresh = client.nodes().get(name);
            if (!uninitialized(fresh)) {
                return;
            }
            fresh.getSpec().setTaints(fresh.getSpec().getTaints().stream()
                    .filter(t -> !UNINITIALIZED_TAINT.equals(t.getKey())).toList());
            client.nodes().update(fresh);
            LOG.info("Successfully initialized node {} with cloud provider", name);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    static boolean uninitialized(Node n) {
        return n.getSpec() != null && n.getSpec().getTaints() != null
                && n.getSpec().getTaints().stream().map(Taint::getKey).anyMatch(UNINITIALIZED_TAINT::equals);
    }
}
