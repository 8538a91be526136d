package dev.navis.client.example;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.workqueue.RateLimitingQueue;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * The smallest real controller, written the way Navis controllers are: handlers only enqueue keys, the
 * sync function re-reads the object from the lister, copies it before changing it, and writes through the
 * client. It makes sure every pod carries the label navis.dev/seen=true.
 */
final class PodLabeler {

    static final String LABEL = "navis.dev/seen";

    private final KubeClient client;
    private final Lister<Pod> pods;
    final RateLimitingQueue<String> queue;

    PodLabeler(KubeClient client, SharedInformerFactory factory, RateLimitingQueue<String> queue) {
        this.client = client;
        this.queue = queue;
        this.pods = factory.lister(Pod.class);
        factory.informer(Pod.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                queue.add(Keys.of(p));
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                queue.add(Keys.of(newPod));
            }
        });
    }

    /** Reconciles one pod key. */
    void sync(String key) {
        Pod cached = pods.getByKey(key);
        if (cached == null) {
            return; // deleted meanwhile: nothing to do
        }
        if (cached.getMetadata().getLabels() != null && "true".equals(cached.getMetadata().getLabels().get(LABEL))) {
            return;
        }
        Pod copy = Json.deepCopy(cached); // never mutate the cache
        if (copy.getMetadata().getLabels() == null) {
            copy.getMetadata().setLabels(new java.util.HashMap<>());
        }
        copy.getMetadata().getLabels().put(LABEL, "true");
        try {
            client.pods().update(copy);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }
}
